@testable import PythonPackaging

/// What wheeltrust reads about the environment it checks before it trusts anything in it: the
/// venv's `pyvenv.cfg`, the trusted interpreter's answer, pip's source naming its default index.
enum EnvironmentTargets {
    static let pyvenvConfig = FuzzTarget(
        "pyvenv-cfg", "VirtualEnvironmentConfig(parsing:) (a venv's pyvenv.cfg)",
        sync: { bytes in
            guard let config = try? VirtualEnvironmentConfig(parsing: bytes, file: "/v/pyvenv.cfg") else { return [] }
            var broken = Broken()
            broken.require(!config.home.isEmpty, "a pyvenv.cfg without home accepted")
            broken.require(
                !bytes.contains(0) && String(validating: bytes, as: UTF8.self) != nil, "a pyvenv.cfg that is not UTF-8 text accepted")
            if let stated = config.statedVersion {
                broken.require(
                    stated.count >= 2 && stated.prefix(2).allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } },
                    "stated version \(stated) accepted")
            } else {
                broken.require(false, "a pyvenv.cfg stating no version accepted")
            }
            return broken.list
        })

    static let interpreterAnswer = FuzzTarget(
        "interpreter-answer", "InterpreterQuery.Answer (the trusted interpreter's NUL-separated report)",
        sync: { bytes in
            guard let answer = InterpreterQuery.Answer(bytes) else { return [] }
            var broken = Broken()
            broken.require(answer.prefix.hasPrefix("/") && answer.basePrefix.hasPrefix("/"), "relative prefix accepted")
            broken.require(
                answer.version.split(separator: ".").count == 3 && answer.versionInfo.hasPrefix(answer.version + "."),
                "version \(answer.version.debugDescription) / \(answer.versionInfo.debugDescription) accepted")
            broken.require(answer.flags.count == 4, "flags \(answer.flags.debugDescription) accepted")
            return broken.list
        })

    static let pipSource = FuzzTarget(
        "pip-source", "PipDefaultIndex.simpleURL(fromSource:) (pip's models/index.py, read as text)",
        sync: { bytes in
            guard let simple = PipDefaultIndex.simpleURL(fromSource: bytes) else { return [] }
            var broken = Broken()
            broken.require(
                simple.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F },
                "\(simple.debugDescription) holds blanks or controls")
            let lower = simple.lowercased()
            broken.require(lower.hasPrefix("http://") || lower.hasPrefix("https://"), "\(simple.debugDescription) is not http(s)")
            return broken.list
        })
}
