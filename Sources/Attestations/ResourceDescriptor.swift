import Foundation
import PythonPackaging

/// An in-toto v1 ResourceDescriptor: one artifact a SLSA v1 provenance names (a resolved
/// dependency, a builder dependency, a byproduct).
///
/// Guarantees (once ``validate(path:)`` passed, as every reader here does): at least one of
/// `uri`, `digest` or `content` is present; every digest is an algorithm of ``DigestSet`` with a
/// lowercase hex value of that algorithm's length; `uri` and `downloadLocation` carry a scheme.
public struct ResourceDescriptor: Sendable, Hashable {
    public var uri: String?
    /// Algorithm name (`sha256`, `gitCommit`, …) to lowercase hex digest.
    public var digest: [String: String]
    public var name: String?
    public var downloadLocation: String?
    public var mediaType: String?
    /// The resource's bytes themselves (written as base64).
    public var content: [UInt8]?
    /// Open-ended facts about the resource (a JSON object).
    public var annotations: [String: JSONValue]?

    public init(
        uri: String? = nil, digest: [String: String] = [:], name: String? = nil, downloadLocation: String? = nil,
        mediaType: String? = nil, content: [UInt8]? = nil, annotations: [String: JSONValue]? = nil
    ) {
        self.uri = uri
        self.digest = digest
        self.name = name
        self.downloadLocation = downloadLocation
        self.mediaType = mediaType
        self.content = content
        self.annotations = annotations
    }

    /// The descriptor as JSON (absent fields are left out).
    public var json: JSONValue {
        var members: [String: JSONValue] = [:]
        if let uri { members["uri"] = .string(uri) }
        if !digest.isEmpty { members["digest"] = .object(digest.mapValues { .string($0) }) }
        if let name { members["name"] = .string(name) }
        if let downloadLocation { members["downloadLocation"] = .string(downloadLocation) }
        if let mediaType { members["mediaType"] = .string(mediaType) }
        if let content { members["content"] = .string(Encoding.base64String(content)) }
        if let annotations { members["annotations"] = .object(annotations) }
        return .object(members)
    }

    /// Checks the guarantees above; errors (`.malformedPredicate`) name `path` and the field.
    public func validate(path: String) throws(AttestationError) {
        guard uri != nil || !digest.isEmpty || content != nil else {
            throw AttestationError(.malformedPredicate, "\(path): needs at least one of uri, digest, content")
        }
        if let uri { try SLSAProvenance.checkURI(uri, path: "\(path).uri") }
        if let downloadLocation { try SLSAProvenance.checkURI(downloadLocation, path: "\(path).downloadLocation") }
        try DigestSet.validate(digest, path: "\(path).digest")
    }

    /// A descriptor of the file at `path` by its SHA-256, read now (for a builder recording its
    /// inputs and byproducts); `name` defaults to the file's name. `.io` when it cannot be read.
    public static func file(at path: String, name: String? = nil, uri: String? = nil) throws(AttestationError) -> ResourceDescriptor {
        let digest: String
        do {
            digest = try FileHashing.digest(ofFileAt: path, algorithm: .sha256).digest.hex
        } catch {
            throw AttestationError(.io, "cannot read \(path): \(error.message)")
        }
        return ResourceDescriptor(uri: uri, digest: ["sha256": digest], name: name ?? (path as NSString).lastPathComponent)
    }

    /// Reads `NAME=ALGORITHM:HEX[@URI]` (the form of `--resolved-dependency` and `--byproduct`).
    /// `what` names the flag in errors.
    public init(flagValue text: String, what: String) throws(AttestationError) {
        guard let equals = text.firstIndex(of: "=") else {
            throw AttestationError(.malformedPredicate, "\(what) \(text): expected NAME=ALGORITHM:HEX[@URI]")
        }
        let name = String(text[..<equals])
        guard !name.isEmpty else {
            throw AttestationError(.malformedPredicate, "\(what) \(text): the NAME before '=' is empty")
        }
        var rest = text[text.index(after: equals)...]
        var uri: String?
        if let at = rest.firstIndex(of: "@") {
            uri = String(rest[rest.index(after: at)...])
            rest = rest[..<at]
        }
        guard let colon = rest.firstIndex(of: ":") else {
            throw AttestationError(.malformedPredicate, "\(what) \(text): expected ALGORITHM:HEX after '=' (e.g. sha256:…)")
        }
        let algorithm = String(rest[..<colon])
        let value = String(rest[rest.index(after: colon)...])
        self.init(uri: uri, digest: [algorithm: value], name: name)
        do {
            try validate(path: what)
        } catch {
            // "<what>.digest.sha256: not lowercase hex" → "<what> <text>: digest.sha256: not lowercase hex"
            let detail = error.message.hasPrefix(what + ".") ? String(error.message.dropFirst(what.count + 1)) : error.message
            throw AttestationError(.malformedPredicate, "\(what) \(text): \(detail)")
        }
    }

    /// Reads one descriptor from JSON, strictly (unknown fields and wrong types refused).
    package init(parsing value: JSONValue, path: String) throws(AttestationError) {
        let reader = try JSONObjectReader(value, path: path, code: .malformedPredicate)
        try reader.rejectUnknown(allowed: ["uri", "digest", "name", "downloadLocation", "mediaType", "content", "annotations"])
        func optionalString(_ key: String) throws(AttestationError) -> String? {
            reader.members[key] == nil ? nil : try reader.string(key)
        }
        uri = try optionalString("uri")
        name = try optionalString("name")
        downloadLocation = try optionalString("downloadLocation")
        mediaType = try optionalString("mediaType")
        content = reader.members["content"] == nil ? nil : try reader.base64("content")
        if let annotations = reader.members["annotations"] {
            guard case .object(let members) = annotations else {
                throw reader.fail("annotations", "expected an object, found \(annotations.kindName)")
            }
            self.annotations = members
        } else {
            annotations = nil
        }
        digest = [:]
        if reader.members["digest"] != nil {
            let digestReader = try JSONObjectReader(reader.require("digest"), path: reader.child("digest"), code: .malformedPredicate)
            for algorithm in digestReader.members.keys.sorted() {
                digest[algorithm] = try digestReader.string(algorithm)
            }
            guard !digest.isEmpty else { throw reader.fail("digest", "is empty: name at least one algorithm") }
        }
        try validate(path: path)
    }
}

/// The digest algorithms a ``ResourceDescriptor`` may name, with the hex length of each (the
/// in-toto digest set's names).
public enum DigestSet {
    /// Algorithm name to the accepted hex lengths.
    public static let hexLengths: [String: Set<Int>] = [
        "sha256": [64], "sha224": [56], "sha384": [96], "sha512": [128], "sha512_224": [56], "sha512_256": [64],
        "sha3_224": [56], "sha3_256": [64], "sha3_384": [96], "sha3_512": [128], "blake2b": [128], "blake2s": [64],
        "sha1": [40], "md5": [32], "gitCommit": [40, 64], "gitTree": [40, 64], "gitBlob": [40, 64],
    ]

    /// Refuses an unknown algorithm, a value that is not lowercase hex, or one of the wrong length.
    public static func validate(_ digest: [String: String], path: String) throws(AttestationError) {
        for algorithm in digest.keys.sorted() {
            let value = digest[algorithm] ?? ""
            guard let lengths = hexLengths[algorithm] else {
                throw AttestationError(
                    .malformedPredicate,
                    "\(path).\(algorithm): unknown digest algorithm (known: \(hexLengths.keys.sorted().joined(separator: ", ")))")
            }
            guard !value.isEmpty, value.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw AttestationError(.malformedPredicate, "\(path).\(algorithm): not lowercase hex")
            }
            guard lengths.contains(value.utf8.count) else {
                let expected = lengths.sorted().map(String.init).joined(separator: " or ")
                throw AttestationError(
                    .malformedPredicate, "\(path).\(algorithm): \(value.utf8.count) hex digits, expected \(expected)")
            }
        }
    }
}
