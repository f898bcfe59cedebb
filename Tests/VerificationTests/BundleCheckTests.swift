import Attestations
import Foundation
import PythonPackaging
import Testing
import Verification

/// `BundleCheck` (the `verify-bundle` flow) in process, on sigstore-python's real test bundles.
@Suite("bundle check (in process)")
struct BundleCheckTests {
    static var bundles: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SigstoreTests/Fixtures/sigstore/bundles").path
    }
    static let william = "william@yossarian.net"
    static let oauth = "https://github.com/login/oauth"
    static let staging = VerificationSetup(environment: [:], staging: true)

    @Test("the signer is an identity with its issuer (both non-empty) or a key file, nothing else")
    func signer() {
        #expect(BundleCheck.signer(identity: "a", issuer: "b", keyFile: nil) == .identity("a", issuer: "b"))
        #expect(BundleCheck.signer(identity: nil, issuer: nil, keyFile: "k.pem") == .keyFile("k.pem"))
        #expect(BundleCheck.signer(identity: nil, issuer: nil, keyFile: nil) == nil)
        #expect(BundleCheck.signer(identity: "a", issuer: nil, keyFile: nil) == nil)
        #expect(BundleCheck.signer(identity: nil, issuer: "b", keyFile: nil) == nil)
        #expect(BundleCheck.signer(identity: "", issuer: "b", keyFile: nil) == nil)
        #expect(BundleCheck.signer(identity: "a", issuer: "b", keyFile: "k.pem") == nil)
        #expect(BundleCheck.signer(identity: "a", issuer: nil, keyFile: "k.pem") == nil)
    }

    @Test("an artifact is sha256:<64 hex> in either case, or a file hashed now; anything else is a usage error naming it")
    func artifactDigest() throws {
        let artifact = Self.bundles + "/bundle_v3.txt"
        let fileDigest = try BundleCheck.artifactDigest(artifact)
        #expect(fileDigest == (try FileHashing.digest(ofFileAt: artifact, algorithm: .sha256).digest))
        #expect(try BundleCheck.artifactDigest("sha256:" + fileDigest.hex.uppercased()) == fileDigest)
        // Characters Swift calls hex digits but that are not ASCII hex (fullwidth forms) are refused
        // here, not turned into a short digest.
        let fullwidth = "sha256:" + String(repeating: "\u{FF10}", count: 64)
        for bad in ["sha256:" + String(repeating: "0", count: 63), "sha256:" + String(repeating: "g", count: 64), fullwidth] {
            let error = #expect(throws: VerificationError.self) { try BundleCheck.artifactDigest(bad) }
            #expect(error?.code == .usage && error?.message == "\(bad) is not sha256:<64 hex digits>", "\(String(describing: error))")
        }
        let missing = #expect(throws: VerificationError.self) { try BundleCheck.artifactDigest("/nonexistent-artifact") }
        #expect(missing?.code == .usage && missing?.message.contains("/nonexistent-artifact") == true, "\(String(describing: missing))")
    }

    @Test(
        "a real bundle verifies with its identity; another identity fails in the identity stage; a bundle that does not decode is malformed"
    )
    func verify() async throws {
        let bundle = Self.bundles + "/bundle_v3.txt.sigstore"
        let artifact = Self.bundles + "/bundle_v3.txt"
        let ok = try await BundleCheck.verify(
            bundleFile: bundle, artifact: artifact,
            signer: .identity(Self.william, issuer: Self.oauth), setup: Self.staging)
        guard case .verdict(let verdict) = ok else { Issue.record("\(ok)"); return }
        #expect(verdict.isVerified, "\(verdict)")

        let other = try await BundleCheck.verify(
            bundleFile: bundle, artifact: artifact,
            signer: .identity("someone@else.test", issuer: Self.oauth), setup: Self.staging)
        guard case .verdict(let refused) = other else { Issue.record("\(other)"); return }
        #expect(refused.failure == "pinned identity someone@else.test is not the certificate SAN \(Self.william)", "\(refused)")

        let wrongDigest = try await BundleCheck.verify(
            bundleFile: bundle, artifact: "sha256:" + String(repeating: "0", count: 64),
            signer: .identity(Self.william, issuer: Self.oauth), setup: Self.staging)
        guard case .verdict(let mismatch) = wrongDigest else { Issue.record("\(wrongDigest)"); return }
        #expect(mismatch.failure?.hasSuffix(" is not the artifact's sha256 \(String(repeating: "0", count: 64))") == true, "\(mismatch)")

        let malformed = try await BundleCheck.verify(
            bundleFile: artifact, artifact: artifact,
            signer: .identity(Self.william, issuer: Self.oauth), setup: Self.staging)
        guard case .malformedBundle(let reason) = malformed else { Issue.record("\(malformed)"); return }
        #expect(!reason.isEmpty)

        let noBundle = await #expect(throws: VerificationError.self) {
            _ = try await BundleCheck.verify(
                bundleFile: "/nonexistent.sigstore", artifact: artifact,
                signer: .identity(Self.william, issuer: Self.oauth), setup: Self.staging)
        }
        #expect(noBundle?.code == .usage && noBundle?.message == "cannot read the bundle /nonexistent.sigstore")
        let noKey = await #expect(throws: VerificationError.self) {
            _ = try await BundleCheck.verify(
                bundleFile: bundle, artifact: artifact, signer: .keyFile("/nonexistent.pem"), setup: Self.staging)
        }
        #expect(noKey?.code == .usage && noKey?.message == "cannot read the key file /nonexistent.pem", "the key file is checked first")
    }
}
