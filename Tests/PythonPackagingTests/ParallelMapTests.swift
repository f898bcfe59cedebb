import Testing

@testable import PythonPackaging

@Suite struct ParallelMapTests {
    @Test func resultsAreThoseOfMapInElementOrder() {
        let input = Array(0..<10_000)
        // Uneven work per element, so iterations finish out of order.
        let transform: @Sendable (Int) -> String = { value in
            var hasher = StreamingHasher(algorithm: .sha256)
            for _ in 0..<(value % 7) { hasher.update(Array(String(value).utf8)) }
            return "\(value):\(hasher.finalize().hex)"
        }
        #expect(input.parallelMap(transform) == input.map(transform))
    }

    @Test func emptyAndSingleElementArrays() {
        #expect([Int]().parallelMap { $0 * 2 } == [])
        #expect([21].parallelMap { $0 * 2 } == [42])
    }
}
