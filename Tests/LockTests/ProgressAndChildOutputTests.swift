import Foundation
import Testing

@testable import Lock

@Suite("progress counts and what a failed child process said")
struct ProgressAndChildOutputTests {
    @Test("bytes for people: decimal units, one decimal")
    func byteText() {
        #expect(FileProgress.byteText(0) == "0 B")
        #expect(FileProgress.byteText(999) == "999 B")
        #expect(FileProgress.byteText(1000) == "1.0 kB")
        #expect(FileProgress.byteText(3_400_000) == "3.4 MB")
        #expect(FileProgress.byteText(999_960_000) == "1.0 GB")
        #expect(FileProgress.byteText(422_700_000_000) == "422.7 GB")
        #expect(FileProgress.byteText(5_000_000_000_000) == "5.0 TB")
    }

    @Test("the counter adds one file and its size per call, across threads")
    func counter() async {
        let counter = ProgressCounter()
        let results = await orderedConcurrentMap(count: 50, jobs: 8) { index in counter.finished("p\(index)", size: 10, total: 50) }
        #expect(results.count == 50)
        #expect(Set(results.map(\.done)) == Set(1...50))
        #expect(results.map(\.bytes).max() == 500)
        #expect(results.enumerated().allSatisfy { $0.element.name == "p\($0.offset)" }, "results stay in item order")
    }

    @Test("a child's error lines, else its last line, in one bounded line")
    func errorLines() {
        let pip =
            "Looking in indexes: x\nERROR: Could not find a version that satisfies the requirement a (from versions: none)\nERROR: No matching distribution found for a\n"
        #expect(
            ChildOutput.errorLines(Array(pip.utf8))
                == "ERROR: Could not find a version that satisfies the requirement a (from versions: none) / ERROR: No matching distribution found for a"
        )
        #expect(ChildOutput.errorLines(Array("one\n  two  \n\n".utf8)) == "two")
        #expect(ChildOutput.errorLines(Array(("error: " + String(repeating: "x", count: 2000)).utf8)).count == 601)
    }
}
