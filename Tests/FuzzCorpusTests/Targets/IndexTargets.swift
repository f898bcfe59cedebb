import Foundation
import PythonPackaging

@testable import PackageIndex

/// Parsers of `PackageIndex`: simple-API pages (PEP 691 JSON, PEP 503 HTML), pip configuration
/// files, `.netrc`, URLs with credentials, proxy variables, `Retry-After`, cache stamps.
enum IndexTargets {
    static let pageURL = URL(string: "https://index.example.invalid/simple/pkg/")!

    /// The documented guarantees of a parsed project page.
    static func check(_ page: ProjectPage, into broken: inout Broken) {
        for file in page.files {
            broken.require(
                file.url.scheme != nil && file.url.host != nil || file.url.scheme == "file",
                "file URL \(file.url.absoluteString.debugDescription) is not absolute")
            broken.require(file.url.fragment == nil, "file URL \(file.url.absoluteString.debugDescription) keeps a fragment")
            if let sha256 = file.sha256?.text {
                broken.require(
                    sha256.utf8.count == 64 && sha256.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) },
                    "sha256 \(sha256.debugDescription) accepted")
            }
            if let provenance = file.provenanceURL { broken.require(provenance.scheme != nil, "relative provenance URL") }
        }
    }

    static let simpleJSON = FuzzTarget(
        "simple-json", "SimpleAPI.parseJSON (PEP 691)",
        sync: { bytes in
            guard let page = try? SimpleAPI.parseJSON(Data(bytes), base: pageURL) else { return [] }
            var broken = Broken()
            check(page, into: &broken)
            return broken.list
        })

    static let simpleHTML = FuzzTarget(
        "simple-html", "SimpleAPI.parseHTML (PEP 503: HTMLScanner, HTMLEntities)",
        sync: { bytes in
            var broken = Broken()
            if let page = try? SimpleAPI.parseHTML(Data(bytes), base: pageURL) { check(page, into: &broken) }
            _ = HTMLEntities.decode(FuzzBytes.text(bytes))
            return broken.list
        })

    /// The userinfo passwords in `values` (each value read as one URL, as `index-url` is, and each
    /// whitespace-separated piece, as `extra-index-url` is), as they would appear in a message
    /// that failed to mask them: `:password@`. Short ones are left out (they turn up by chance).
    static func leakedForms(in values: some Sequence<String>) -> [String] {
        var forms: [String] = []
        for value in values {
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            for candidate in [trimmed] + trimmed.split(whereSeparator: \.isWhitespace).map(String.init) {
                guard let url = URL(string: candidate) else { continue }
                for password in [url.password(percentEncoded: true), url.password(percentEncoded: false)].compactMap({ $0 })
                where password.count >= 6 && password != "****" {
                    forms.append(":" + password + "@")
                }
            }
        }
        return forms
    }

    static let pipConfig = FuzzTarget(
        "pip-config", "ConfigFile (pip.conf INI), PipConfiguration.resolve over that file",
        sync: { bytes in
            var broken = Broken()
            let text = FuzzBytes.text(bytes)
            let file = try? ConfigFile(parsing: text, origin: "pip.conf")
            let leaks = leakedForms(in: file?.sections.values.flatMap(\.values) ?? [])
            let path = FuzzScratch.write(bytes, name: "pip.conf")
            for command in ["install", "download"] {
                do {
                    let configuration = try PipConfiguration.resolve(
                        files: [path], environment: [:], homeDirectory: "/nonexistent-home",
                        interpreterDefault: nil, override: nil, command: command)
                    for url in [configuration.indexURL] + configuration.extraIndexURLs {
                        broken.require(["http", "https"].contains(url.scheme?.lowercased()), "index URL \(url.redacted) is not http(s)")
                        if let password = url.password(percentEncoded: true), !password.isEmpty {
                            broken.require(
                                URL(string: url.redacted)?.password(percentEncoded: true) ?? "****" == "****",
                                "\(url.redacted.debugDescription) keeps the password of its userinfo")
                        }
                        for leak in leaks {
                            broken.require(!url.redacted.contains(leak), "\(url.redacted.debugDescription) shows \(leak.debugDescription)")
                        }
                    }
                } catch let error as IndexError {
                    for leak in leaks {
                        broken.require(
                            !error.message.contains(leak),
                            "a configuration error shows \(leak.debugDescription): \(error.message.debugDescription)")
                    }
                } catch {
                    broken.require(false, "PipConfiguration.resolve threw \(error), not an IndexError")
                }
            }
            return broken.list
        })

    static let netrc = FuzzTarget(
        "netrc", "Netrc(parsing:), credentials(forHost:), IndexCredentials.forIndex",
        sync: { bytes in
            var broken = Broken()
            let netrc = Netrc(parsing: FuzzBytes.text(bytes))
            for entry in netrc.entries {
                guard let machine = entry.machine, !machine.isEmpty else { continue }
                _ = netrc.credentials(forHost: machine)
                guard let url = URL(string: "https://\(machine)/simple/"),
                    let credentials = IndexCredentials.forIndex(url, netrc: netrc)
                else { continue }
                // What credentials print is fixed: the user, the origin, never the password.
                broken.require(
                    credentials.description == "\(credentials.user):****@\(credentials.scheme)://\(credentials.host):\(credentials.port)"
                        && credentials.debugDescription == credentials.description,
                    "credentials print \(credentials.description.debugDescription)")
            }
            return broken.list
        })

    static let url = FuzzTarget(
        "url",
        "URLMasking.redact, URL.redacted/removingUserInfo, PipConfiguration.validated, ProxySettings, provenance candidates, Retry-After, cache stamps",
        sync: { bytes in
            var broken = Broken()
            let text = FuzzBytes.text(bytes)
            let redacted = URLMasking.redact(text)
            if let password = URL(string: text)?.password, !password.isEmpty, password != "****" {
                // The guarantee: the output never holds the password of the input's userinfo.
                broken.require(URL(string: redacted)?.password ?? "****" == "****", "redact(\(text.debugDescription)) keeps a password")
            }
            if let url = URL(string: text) {
                // An empty userinfo (`//@host`) holds nothing to leak; any other must be gone.
                func credentials(_ url: URL) -> Bool { !(url.user ?? "").isEmpty || !(url.password ?? "").isEmpty }
                broken.require(!credentials(url.removingUserInfo), "removingUserInfo kept the userinfo of \(text.debugDescription)")
                if let password = url.password(percentEncoded: true), password.count >= 6, password != "****" {
                    broken.require(
                        !url.redacted.contains(":" + password + "@"), "URL.redacted shows the password of \(text.debugDescription)")
                }
                let index = URL(string: "https://user:secret-token@index.example.invalid/simple/")!
                for candidate in IndexClient.provenanceCandidates(
                    advertised: url, indexURL: index, project: ProjectName("pkg"),
                    version: "1.0", filename: "pkg-1.0-py3-none-any.whl")
                {
                    broken.require(!credentials(candidate), "provenance candidate \(candidate.redacted) carries userinfo")
                }
            }
            if let validated = try? PipConfiguration.validated(text, origin: "fuzz") {
                broken.require(validated.host.map { !$0.isEmpty } ?? false, "validated URL without a host")
            }
            let proxies = ProxySettings(environment: ["https_proxy": text, "http_proxy": text, "no_proxy": text])
            _ = proxies.proxy(for: pageURL)
            if let seconds = RetryPolicy.parseRetryAfter(text, now: Date(timeIntervalSince1970: 1_700_000_000)) {
                broken.require(seconds.isFinite, "Retry-After \(text.debugDescription) gave \(seconds)")
            }
            let digest = SHA256Hex(String(repeating: "0", count: 64))!
            let key = [UInt8](repeating: 7, count: CacheStampKey.byteCount)
            if let identity = CacheHashStamps.parse(text, sha256Hex: digest, key: key) {
                broken.require(
                    CacheHashStamps.parse(CacheHashStamps.format(identity, sha256Hex: digest, key: key), sha256Hex: digest, key: key) == identity,
                    "a cache stamp does not survive format and parse")
            }
            _ = CertificateBundle.parsePEMCertificates(text)
            return broken.list
        })
}
