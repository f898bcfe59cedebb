import PythonPackaging

/// The name a wheel gets with a build tag (PEP 427: `name-version-build-python-abi-platform.whl`).
///
/// Guarantees: only the build tag changes; the name, version and compressed tag sets are the
/// backend's as it wrote them. The members are rewritten by the driver (WHEEL's `Build:` and
/// RECORD's line for WHEEL), so the wheel stays valid; ``WheelCheck`` then proves it.
enum WheelRetag {
    static func filename(_ wheel: WheelFilename, tag: BuildTag) -> String {
        let parts = String(wheel.filename.dropLast(".whl".count)).split(separator: "-", omittingEmptySubsequences: false)
        // name-version[-build]-python-abi-platform
        let head = parts.prefix(2)
        let tail = parts.suffix(3)
        return (head + [Substring(tag.description)] + tail).joined(separator: "-") + ".whl"
    }
}

/// The built wheel opened with the same reader verification uses, its members checked against its
/// RECORD and its WHEEL's `Build:` against the filename.
enum WheelCheck {
    /// nil when consistent; else what is wrong, in one line.
    static func check(at path: String, filename: String) -> (wheel: Wheel?, problem: String?) {
        do {
            let wheel = try Wheel.open(path: path, filename: filename)
            let members = try wheel.checkMembers()
            guard members.isClean else {
                return (
                    wheel,
                    "RECORD disagrees with the members (unrecorded \(members.unrecorded), missing \(members.missing), differing \(members.mismatched))"
                )
            }
            let expected = wheel.filename.buildTag?.description
            guard wheel.metadata.build == expected else {
                return (wheel, "WHEEL says Build: \(wheel.metadata.build ?? "(none)") but the filename's build tag is \(expected ?? "(none)")")
            }
            return (wheel, nil)
        } catch {
            return (nil, error.message)
        }
    }
}
