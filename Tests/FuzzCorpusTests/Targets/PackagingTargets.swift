@testable import PythonPackaging

/// Parsers of `PythonPackaging`: the zip reader and wheels, RECORD, WHEEL and METADATA headers,
/// distribution filenames and PEP 440 versions.
enum PackagingTargets {
    /// Zip limits small enough that an accepted member is cheap to inflate, as a verifier's
    /// caps would be; the parser must enforce them whatever the headers claim.
    static let zipLimits = ZipLimits(
        maxEntries: 10_000, maxMemberSize: 64 << 20, maxTotalUncompressed: 256 << 20,
        maxNameLength: 4096)

    static let wheel = FuzzTarget(
        "wheel", "ZipArchive(path:), every member read, Wheel.open, checkMembers",
        sync: { bytes in
            var broken = Broken()
            let path = FuzzScratch.write(bytes, name: "fuzz.whl")
            guard let archive = try? ZipArchive(path: path, limits: zipLimits) else { return [] }
            var distInfo: String?
            for entry in archive.entries {
                broken.require(ZipMemberName.escapeReason(entry.name) == nil, "accepted member name \(entry.name.debugDescription)")
                if let slash = entry.name.firstIndex(of: "/"), entry.name[..<slash].hasSuffix(".dist-info") {
                    distInfo = String(entry.name[..<slash])
                }
                guard !entry.isDirectory else { continue }
                var size: Int64 = 0
                do {
                    try archive.read(entry) { size += Int64($0.count) }
                    broken.require(
                        size == entry.uncompressedSize,
                        "\(entry.name): read \(size) bytes, declared \(entry.uncompressedSize)")
                } catch {}
                _ = try? archive.data(of: entry, maxSize: 1 << 16)
            }
            // Open it as a wheel named after its own .dist-info directory, so that the fuzzer reaches
            // RECORD, WHEEL and METADATA without guessing a matching filename.
            let stem = distInfo.map { String($0.dropLast(".dist-info".count)) } ?? "pkg-1.0"
            if let wheel = try? Wheel.open(path: path, filename: stem + "-py3-none-any.whl", limits: zipLimits) {
                _ = try? wheel.checkMembers()
            }
            return broken.list
        })

    static let record = FuzzTarget(
        "record", "Record(parsing:), Record.listedPaths(parsing:)",
        sync: { bytes in
            var broken = Broken()
            let parsed = try? Record(parsing: bytes, origin: "RECORD")
            let listed = try? Record.listedPaths(parsing: bytes, origin: "RECORD")
            if let parsed {
                // listedPaths applies the CSV and path rules of init(parsing:) without decoding hashes.
                broken.require(listed == parsed.entries.map(\.path), "Record parsed but listedPaths disagrees")
                for entry in parsed.entries {
                    broken.require(parsed.entry(for: entry.path) == entry, "entry(for: \(entry.path)) is not its row")
                    broken.require(!entry.path.isEmpty && !entry.path.utf8.contains(0), "accepted path \(entry.path.debugDescription)")
                    if let size = entry.size { broken.require(size >= 0, "negative size for \(entry.path)") }
                }
            }
            return broken.list
        })

    static let metadata = FuzzTarget(
        "metadata", "MessageHeaders, WheelMetadata (WHEEL) and CoreMetadata (METADATA)",
        sync: { bytes in
            var broken = Broken()
            if let headers = try? MessageHeaders(parsing: bytes, origin: "METADATA") {
                broken.require(headers.fields.count <= MessageHeaders.maxFields, "\(headers.fields.count) fields accepted")
                for field in headers.fields {
                    broken.require(headers.first(field.name) != nil, "first(\(field.name)) is nil")
                }
            }
            _ = try? WheelMetadata(parsing: bytes, origin: "WHEEL")
            if let core = try? CoreMetadata(parsing: bytes, origin: "METADATA") {
                broken.require(core.name == ProjectName(core.rawName), "METADATA name is not its raw name")
                broken.require(core.version == PythonVersion(core.rawVersion), "METADATA version is not its raw version")
            }
            return broken.list
        })

    static let filenames = FuzzTarget(
        "filenames", "WheelFilename, SdistFilename, DistributionFilename, ProjectName, BuildTag, WheelTag",
        sync: { bytes in
            var broken = Broken()
            let text = FuzzBytes.text(bytes)
            if let wheel = try? WheelFilename(parsing: text) {
                broken.require(wheel.name.isValid, "wheel filename with an invalid name \(wheel.name.raw.debugDescription)")
                broken.require(wheel.version.isValid, "wheel filename with an invalid version \(wheel.version.string.debugDescription)")
                broken.require(!wheel.pythonTags.isEmpty && !wheel.abiTags.isEmpty && !wheel.platformTags.isEmpty, "empty tag set")
                broken.require(
                    wheel.pythonTags.count * wheel.abiTags.count * wheel.platformTags.count <= WheelTag.maxExpandedTags,
                    "tag sets expand past the cap")
                let again = try? WheelFilename(parsing: text)
                broken.require(again == wheel && again?.hashValue == wheel.hashValue, "wheel filename not equal to itself")
                broken.require((try? DistributionFilename(parsing: text)) == .wheel(wheel), "DistributionFilename disagrees")
            }
            if let sdist = try? SdistFilename(parsing: text) {
                broken.require(sdist.name.isValid && sdist.version.isValid, "sdist filename with an invalid part")
                broken.require((try? DistributionFilename(parsing: text)) == .sdist(sdist), "DistributionFilename disagrees")
            }
            if let name = try? ProjectName(validating: text) {
                broken.require(name.isValid, "validated name is not valid")
                let normalized = ProjectName.normalize(text)
                broken.require(ProjectName.normalize(normalized) == normalized, "normalize is not idempotent")
                broken.require(ProjectName(normalized) == name, "a name differs from its normal form")
            }
            _ = try? BuildTag(parsing: text)
            if let tags = try? WheelTag.expand(text) {
                broken.require(tags.count <= WheelTag.maxExpandedTags, "\(tags.count) tags expanded")
            }
            return broken.list
        })

    static let version = FuzzTarget(
        "version", "PythonVersion (PEP 440): two versions split at NUL, equality, hashing, ordering",
        sync: { bytes in
            var broken = Broken()
            let (left, right) = FuzzBytes.splitAtNUL(bytes)
            let a = PythonVersion(FuzzBytes.text(left))
            let b = PythonVersion(FuzzBytes.text(right))
            for v in [a, b] {
                broken.require(v == v && !(v < v), "\(v.string.debugDescription) is not equal to itself")
                if v.isValid {
                    let normal = PythonVersion(v.normalized)
                    broken.require(
                        normal.isValid && normal == v && normal.normalized == v.normalized,
                        "normal form \(v.normalized.debugDescription) of \(v.string.debugDescription) does not round-trip")
                    broken.require(normal.hashValue == v.hashValue, "normal form hashes differently")
                }
            }
            let less = a < b, greater = b < a, equal = a == b
            broken.require(
                [less, greater, equal].filter { $0 }.count == 1,
                "\(a.string.debugDescription) vs \(b.string.debugDescription): <\(less) >\(greater) ==\(equal)")
            if equal { broken.require(a.hashValue == b.hashValue, "equal versions hash differently") }
            return broken.list
        })
}
