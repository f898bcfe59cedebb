import Foundation

/// Loads the files at the top of this target's `Fixtures/`: the key-signed and RFC 3161 vectors
/// the Sigstore tests share with AttestationsTests (see Fixtures/SOURCES.md).
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

    static func text(_ name: String) throws -> String {
        String(decoding: try data(name), as: UTF8.self)
    }
}
