import Foundation
import PythonPackaging

@testable import IndexServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Shared helpers for IndexServer tests: temporary folders with fixture wheels, HTTP requests that
/// do not follow redirects, and subprocesses that do not block Swift's cooperative threads.
enum TestSupport {
    /// `Tests/VerificationTests/Fixtures/wheels` in this checkout (the end-to-end fixture wheels).
    static let fixtureWheels: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("VerificationTests/Fixtures/wheels")

    static let dottedWheel = "dotted_pkg-1.2.0-0-py3-none-any.whl"
    static let datatoolWheel = "datatool-0.3-py3-none-any.whl"
    static let markupSafeWheel = "MarkupSafe-2.1.5-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    static let dottedSHA256 = "f3f2a9a10bfb15210dd3b93bafaba0ac1d22ad9ccfa06830cd4970517a9048e4"
    static let dottedDigest = SHA256Hex(dottedSHA256)!

    /// A fresh temporary folder holding copies of the named fixture wheels.
    static func folder(with wheels: [String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("wheeltrust-indexserver-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for wheel in wheels {
            try FileManager.default.copyItem(
                atPath: fixtureWheels.appendingPathComponent(wheel).path,
                toPath: (directory as NSString).appendingPathComponent(wheel))
        }
        return directory
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func write(_ text: String, to directory: String, name: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
    }

    // MARK: HTTP

    struct HTTPResult {
        let status: Int
        let headers: [String: String]
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    /// GETs `url` without following redirects.
    ///
    /// Each call uses its own session whose delegate cancels authentication challenges and keeps
    /// the 401 response: swift-corelibs-foundation 6.3.1 otherwise hangs forever on a 401 that
    /// carries `WWW-Authenticate` (swift-corelibs-foundation issue #5456, fixed after 6.3.1).
    static func get(
        _ url: URL, accept: String? = nil, user: String? = nil, password: String? = nil,
        method: String = "GET"
    ) async throws -> HTTPResult {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        if let user, let password {
            request.setValue("Basic " + Data("\(user):\(password)".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        }
        let delegate = TestSessionDelegate()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        let session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch let error as URLError where error.code == .cancelled {
            guard let challenged = delegate.challengeResponse else { throw error }
            (data, response) = (Data(), challenged)
        }
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key] = value }
        }
        return HTTPResult(status: http.statusCode, headers: headers, body: data)
    }

    /// Refuses redirects and authentication challenges (remembering the challenging response).
    private final class TestSessionDelegate: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        private let lock = NSLock()
        private var response: HTTPURLResponse?

        var challengeResponse: HTTPURLResponse? {
            lock.lock()
            defer { lock.unlock() }
            return response
        }

        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }

        func urlSession(
            _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
            completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
        ) {
            lock.lock()
            response = challenge.failureResponse as? HTTPURLResponse
            lock.unlock()
            completionHandler(.cancelAuthenticationChallenge, nil)
        }
    }

    // MARK: processes

    struct ProcessResult {
        let status: Int32
        let output: String
    }

    /// Runs a program, capturing stdout and stderr together in a temporary file, and waits for it
    /// through `terminationHandler` (no thread is blocked while it runs).
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> ProcessResult {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("wheeltrust-proc-\(UUID().uuidString).log").path
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { remove(outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try? output.close()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return ProcessResult(status: status, output: text)
    }

    /// The absolute path of `python3` on PATH.
    static func python3() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/python3"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
