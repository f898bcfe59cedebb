import Foundation
import PythonPackaging

/// Checks an upload form before anything about it is trusted: the form is a PyPI legacy upload,
/// the filename is a distribution filename that agrees with the `name`, `version` and `filetype`
/// fields, every digest the form states matches the bytes received, and a wheel's own METADATA
/// (read with the bounded zip reader) names the same project and version.
///
/// Guarantees: `.passed` only when every one of those held; otherwise the refusal names the
/// check that failed (`UploadRefusal.Code`) and the values that disagreed. Never reads more of
/// the wheel than its central directory and METADATA member (bounded by `ZipLimits`).
public enum DistributionCheck {
    /// The filetypes the legacy API names for the files accepted here.
    static let wheelFiletype = "bdist_wheel"
    static let sdistFiletype = "sdist"

    public static func check(_ form: UploadForm) -> Checked<CheckedDistribution> {
        if let refusal = formRefusal(form) { return .refused(refusal) }
        guard let content = form.content else {
            return .refused(UploadRefusal(.malformedForm, "the form has no content part (the distribution file)"))
        }
        // Present and non-empty: checked by formRefusal.
        let name = form.value("name") ?? ""
        let version = form.value("version") ?? ""
        let filename = content.filename
        guard isPlainFilename(filename) else {
            return .refused(
                UploadRefusal(.badFilename, "invalid filename '\(UploadRefusal.excerpt(filename))': it must be a plain file name"))
        }
        let parsed: DistributionFilename
        do {
            parsed = try DistributionFilename(parsing: filename)
        } catch {
            return .refused(UploadRefusal(.badFilename, error.message))
        }
        guard ProjectName(name) == parsed.name else {
            return .refused(
                UploadRefusal(
                    .fieldMismatch,
                    "the filename \(filename) names project \(parsed.name.normalized), the form's name is \(UploadRefusal.excerpt(name))"))
        }
        guard PythonVersion(version) == parsed.version, parsed.version.isValid else {
            return .refused(
                UploadRefusal(
                    .fieldMismatch,
                    "the filename \(filename) names version \(parsed.version), the form's version is \(UploadRefusal.excerpt(version))"))
        }
        if let filetype = form.value("filetype") {
            let expected = isWheel(parsed) ? wheelFiletype : sdistFiletype
            guard filetype == expected else {
                return .refused(
                    UploadRefusal(
                        .fieldMismatch, "filetype \(UploadRefusal.excerpt(filetype)) does not fit \(filename) (expected \(expected))"))
            }
        }
        if let refusal = digestRefusal(form, content: content) { return .refused(refusal) }
        var coreMetadata: [UInt8]?
        if isWheel(parsed) {
            let wheel: Wheel
            do {
                wheel = try Wheel.open(path: content.path, filename: filename)
            } catch {
                return .refused(UploadRefusal(.invalidDistribution, "\(filename) is not a readable wheel: \(error.message)"))
            }
            let metadata = wheel.coreMetadata
            guard metadata.name == parsed.name, metadata.version == parsed.version else {
                return .refused(
                    UploadRefusal(
                        .invalidDistribution,
                        "the wheel's METADATA names \(UploadRefusal.excerpt(metadata.rawName)) \(UploadRefusal.excerpt(metadata.rawVersion)), "
                            + "its filename \(parsed.name.normalized) \(parsed.version)"))
            }
            coreMetadata = wheel.coreMetadataBytes
        }
        return .passed(
            CheckedDistribution(
                filename: filename, project: parsed.name, version: parsed.version.string, digests: content.digests,
                stagedPath: content.path, coreMetadata: coreMetadata, requiresPython: form.value("requires_python")))
    }

    /// The form-level checks: the action and protocol version of the legacy API, and the
    /// required fields.
    static func formRefusal(_ form: UploadForm) -> UploadRefusal? {
        guard let action = form.value(":action") else {
            return UploadRefusal(.malformedForm, "the form has no :action field")
        }
        guard action == "file_upload" else {
            return UploadRefusal(.malformedForm, "unsupported :action \(UploadRefusal.excerpt(action)); only file_upload is accepted")
        }
        if let protocolVersion = form.value("protocol_version"), protocolVersion != "1" {
            return UploadRefusal(.malformedForm, "unknown protocol_version \(UploadRefusal.excerpt(protocolVersion))")
        }
        for field in ["name", "version"] {
            guard let value = form.value(field), !value.isEmpty else {
                return UploadRefusal(.malformedForm, "the form has no \(field) field")
            }
            guard form.fields[field]?.count == 1 else {
                return UploadRefusal(.malformedForm, "the form repeats the \(field) field")
            }
        }
        for field in ["sha256_digest", "md5_digest", "blake2_256_digest", "filetype", ":action", "protocol_version"] {
            if let values = form.fields[field], values.count > 1 {
                return UploadRefusal(.malformedForm, "the form repeats the \(field) field")
            }
        }
        return nil
    }

    /// At least one digest must be stated; every one stated must match the bytes (hex, either case).
    static func digestRefusal(_ form: UploadForm, content: StagedContent) -> UploadRefusal? {
        let stated: [(field: String, computed: String)] = [
            ("sha256_digest", content.digests.sha256.text),
            ("blake2_256_digest", content.digests.blake2b256Hex),
            ("md5_digest", content.digests.md5Hex),
        ]
        var any = false
        for (field, computed) in stated {
            guard let value = form.value(field), !value.isEmpty else { continue }
            any = true
            guard value.lowercased() == computed else {
                return UploadRefusal(
                    .digestMismatch,
                    "\(field) \(UploadRefusal.excerpt(value)) does not match the bytes received for \(content.filename) (\(computed))")
            }
        }
        guard any else {
            return UploadRefusal(
                .digestMismatch, "the form states no digest of \(content.filename) (sha256_digest, blake2_256_digest or md5_digest)")
        }
        return nil
    }

    static func isWheel(_ filename: DistributionFilename) -> Bool {
        if case .wheel = filename { return true }
        return false
    }

    /// A name of one path segment: no separator, no control character, not hidden.
    static func isPlainFilename(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && name.utf8.count <= WheelFilename.maxLength
            && !name.unicodeScalars.contains { $0 == "/" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F }
    }
}

/// A distribution that passed `DistributionCheck`.
///
/// Guarantees: `project` and `version` are the filename's and agree with the form and (for a
/// wheel) with its METADATA; `digests` are of the bytes at `stagedPath`; `coreMetadata` is the
/// wheel's METADATA member byte for byte (nil for an sdist).
public struct CheckedDistribution: Sendable, Hashable {
    public var filename: String
    public var project: ProjectName
    public var version: String
    public var digests: UploadDigests
    public var stagedPath: String
    public var coreMetadata: [UInt8]?
    public var requiresPython: String?

    /// The file as the gate judges it.
    public var uploaded: UploadedFile { UploadedFile(filename: filename, project: project, sha256: digests.sha256) }
}
