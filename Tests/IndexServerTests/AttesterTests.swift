import Attestations
import Foundation
import Testing

@testable import IndexServer

@Suite struct AttesterTests {
    @Test(arguments: [KeyKind.ecdsaP256, .ed25519, .rsa(bits: 2048)])
    func writesASignedSLSAAttestationThatVerifies(_ kind: KeyKind) async throws {
        let directory = try TestSupport.folder(with: [TestSupport.dottedWheel])
        defer { TestSupport.remove(directory) }
        let key = try PrivateKey.generate(kind)
        let wheel = directory + "/" + TestSupport.dottedWheel
        let written = try await Attester.attest(wheel: wheel, key: key, builderID: "urn:test:builder", buildType: "urn:test:type")
        #expect(written == wheel + ".slsa.attestation")

        let attestation = try Attestation.decode(Data(contentsOf: URL(fileURLWithPath: written)))
        #expect(attestation.verificationMaterial == nil)
        let statement = try Statement(parsing: attestation.envelope.statement)
        #expect(statement.subjects.map(\.name) == [TestSupport.dottedWheel])
        #expect(statement.subjects.first?.digest["sha256"] == TestSupport.dottedSHA256)
        #expect(statement.predicateType == Statement.slsaV1)
        #expect(statement.build.builderID == "urn:test:builder")

        let pae = DSSE.pae(payloadType: DSSE.inTotoPayloadType, payload: attestation.envelope.statement)
        #expect(key.publicKey.isValidSignature(attestation.envelope.signature, for: pae, rsaPadding: .pkcs1v15))
        // And a different key does not verify it.
        let other = try PrivateKey.generate(.ecdsaP256)
        #expect(!other.publicKey.isValidSignature(attestation.envelope.signature, for: pae, rsaPadding: .pkcs1v15))
        // No temporary files left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(leftovers == [TestSupport.dottedWheel, TestSupport.dottedWheel + ".slsa.attestation"])
    }

    @Test func refusesANameThatIsNotADistribution() async throws {
        let directory = try TestSupport.folder(with: [])
        defer { TestSupport.remove(directory) }
        try TestSupport.write("x", to: directory, name: "notes.txt")
        let key = try PrivateKey.generate(.ed25519)
        do {
            _ = try await Attester.attest(wheel: directory + "/notes.txt", key: key, builderID: "b", buildType: "t")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .malformedInput)
            #expect(error.message.hasPrefix("notes.txt is not a wheel or sdist filename"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/notes.txt.slsa.attestation"))
    }

    @Test func aMissingFileIsAnIOError() async throws {
        let key = try PrivateKey.generate(.ed25519)
        do {
            _ = try await Attester.attest(wheel: "/nonexistent/x-1.0-py3-none-any.whl", key: key, builderID: "b", buildType: "t")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .io)
            #expect(error.message.contains("/nonexistent/x-1.0-py3-none-any.whl"))
        }
    }
}

@Suite struct ServerConfigurationTests {
    @Test func defaultsAreLoopbackPulpStyle() throws {
        let directory = try TestSupport.folder(with: [])
        defer { TestSupport.remove(directory) }
        let configuration = ServerConfiguration(directory: directory)
        try configuration.validate()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 0)
        #expect(configuration.defaultPublisher == Publisher(kind: "Pulp User", fields: ["prn": .string("prn:auth.user:1")]))
        #expect(String(decoding: configuration.defaultPublisherJSON, as: UTF8.self) == #"{"kind":"Pulp User","prn":"prn:auth.user:1"}"#)
        #expect(
            IndexServer(configuration: configuration).indexURL(port: 8080).absoluteString
                == "http://127.0.0.1:8080/pypi/wheeltrust/main/simple/")
    }

    @Test func rejectsUnusableSettings() throws {
        let directory = try TestSupport.folder(with: [])
        defer { TestSupport.remove(directory) }
        let bad: [ServerConfiguration] = [
            ServerConfiguration(directory: ""),
            ServerConfiguration(directory: "/nonexistent/wheeltrust"),
            ServerConfiguration(directory: directory, port: 70_000),
            ServerConfiguration(directory: directory, host: ""),
            ServerConfiguration(directory: directory, domain: "a/b"),
            ServerConfiguration(directory: directory, distribution: ".."),
        ]
        for configuration in bad {
            #expect(throws: ServerError.self) { try configuration.validate() }
            do { try configuration.validate() } catch { #expect(error.code == .configuration) }
        }
    }
}
