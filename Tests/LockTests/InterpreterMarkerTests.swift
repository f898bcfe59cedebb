import Foundation
import PythonPackaging
import TestSupport
import Testing

@testable import Lock

@Suite("marker values from the trusted interpreter query")
struct InterpreterMarkerTests {
    @Test("the query's marker values are those Python's own platform module gives (PEP 508's definitions)")
    func matchesPlatformModule() async throws {
        let environment = try await PythonEnvironment.inspect(python: "python3", withPipDefaultIndex: false)
        let facts = try #require(environment.tagFacts)
        let markers = try #require(MarkerEnvironment(facts: facts))
        let output = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", "-I", "-c",
                "import os, platform, sys\n"
                    + "v = sys.implementation.version\n"
                    + "iv = '%d.%d.%d' % tuple(v[:3]) + ('' if v.releaselevel == 'final' else v.releaselevel[0] + str(v.serial))\n"
                    + "print('\\0'.join([os.name, sys.platform, platform.machine(), platform.python_implementation(), platform.release(),"
                    + " platform.system(), platform.version(), '.'.join(platform.python_version_tuple()[:2]), platform.python_version(),"
                    + " sys.implementation.name, iv]), end='')",
            ]
        ).stdout
        let values = String(decoding: output, as: UTF8.self).split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        let names = [
            "os_name", "sys_platform", "platform_machine", "platform_python_implementation", "platform_release", "platform_system",
            "platform_version", "python_version", "python_full_version", "implementation_name", "implementation_version",
        ]
        try #require(values.count == names.count, "\(values)")
        for (name, value) in zip(names, values) {
            #expect(markers.values[name] == value, "\(name)")
        }
    }
}
