import Foundation
import PackageIndex

/// Publishes built wheels, each with the attestation the build wrote beside it
/// (`<wheel>.slsa.attestation`), to a wheeltrust index's upload endpoint.
///
/// Guarantees: every wheel is tried, in the order given, and each gets its own outcome (one
/// refusal does not stop the rest); a wheel is sent only with its own attestation, and a wheel
/// without one is not sent at all (the index would refuse it, and an unattested wheel is not a
/// build of ours). The index judges each attestation itself (the upload door), so an outcome
/// of `uploaded` means the index verified and stored the file, or already held these exact bytes.
public enum BuildUpload {
    /// What happened to one wheel.
    public struct Outcome: Sendable {
        public let wheel: String
        /// nil when the index accepted the file.
        public let failure: IndexError?
        public var uploaded: Bool { failure == nil }
    }

    public static func upload(
        _ wheels: [String], to destination: UploadDestination, certificateBundle: String? = nil, timeout: TimeInterval = 300
    ) async -> [Outcome] {
        let client = HTTPClient(
            credentialSet: [destination.credentials], certificateBundle: certificateBundle, timeout: timeout,
            retry: RetryPolicy(maxRetries: 0))
        var outcomes: [Outcome] = []
        for wheel in wheels {
            do throws(IndexError) {
                let attestation = wheel + ".slsa.attestation"
                guard FileManager.default.fileExists(atPath: attestation) else {
                    throw IndexError(.configuration, "upload \(wheel): no attestation beside it (\(attestation))")
                }
                let upload = try DistributionUpload.prepare(path: wheel, attestations: [attestation])
                try await upload.send(to: destination.url, client: client)
                outcomes.append(Outcome(wheel: wheel, failure: nil))
            } catch {
                outcomes.append(Outcome(wheel: wheel, failure: error))
            }
        }
        return outcomes
    }
}
