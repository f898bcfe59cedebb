import Foundation
import PythonPackaging
import Testing

@testable import Attestations

/// Loads test fixtures copied from the shared vectors (see Fixtures/SOURCES.md).
enum Fixtures {
    struct Missing: Error { let name: String }

    static func url(_ name: String) throws -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            throw Missing(name: name)
        }
        return url
    }

    static func data(_ name: String) throws -> Data {
        try Data(contentsOf: url(name))
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try data(name))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try data(name), as: UTF8.self)
    }

    static let redHatDistribution = "amqp-5.3.1-0-py3-none-any.whl"
    static let redHatSHA256 = "034b93b6620dd4db0899c5299ed8fb11b60d2cd6fbfb3d271bedbf9f62dc2a9d"
    static let blobSHA256 = "658781cd4ed9bca60dacd09f7bb914bb51502e8b5d619f57f39a1d652596cc24"
    static let redHatDigest = SHA256Hex(redHatSHA256)!
    static let blobDigest = SHA256Hex(blobSHA256)!
}
