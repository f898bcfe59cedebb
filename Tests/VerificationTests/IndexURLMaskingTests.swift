import Foundation
import PackageIndex
import Testing

@testable import Verification

/// `VerificationSetup` masks a rejected `--index-url` with `URLMasking` (the one masking of the
/// project), including the shapes its former local copy let through.
@Suite struct IndexURLMaskingTests {
    private func rejection(_ indexURL: String) -> VerificationError? {
        let setup = VerificationSetup(indexURL: indexURL, environment: ["HOME": "/nonexistent"])
        do {
            _ = try setup.indexConfiguration(for: nil)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("ftp://user:s3cret@host/simple", "ftp://user:****@host/simple"),
        ("htp:/user:s3cret@host/simple", "htp:/user:****@host/simple"),
        ("user:s3cret@host/simple", "user:****@host/simple"),
    ])
    func aRejectedIndexURLNeverShowsItsPassword(input: String, shown: String) throws {
        let error = try #require(rejection(input), "\(input) was accepted")
        #expect(error.code == .usage)
        #expect(error.message == "the index URL is not an http(s) URL: \(shown)")
        #expect(error.setupProblem == .indexURLNotHTTP(shown: shown), "the command line names its own option for it")
        #expect(!error.message.contains("s3cret"))
    }

    @Test func aPasswordAfterASecondAtIsMaskedToo() throws {
        // The former copy masked only a colon before the first `@`: this one went through whole.
        let error = try #require(rejection("ftp://a@b:s3cret@host/simple"))
        #expect(error.message.hasPrefix("the index URL is not an http(s) URL: ftp://"))
        #expect(!error.message.contains("s3cret"))
    }
}
