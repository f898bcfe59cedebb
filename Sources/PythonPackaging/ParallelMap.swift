import Dispatch

extension Array where Element: Sendable {
    /// `map` with the work spread over the machine's cores (Dispatch's `concurrentPerform`), for
    /// CPU-bound transforms of independent elements. The result is in element order, exactly
    /// what `map` returns; the calling thread waits and takes part in the work.
    public func parallelMap<Result: Sendable>(_ transform: @Sendable (Element) -> Result) -> [Result] {
        if count < 2 { return map(transform) }
        let slots = ResultSlots<Result>(count: count)
        self.withUnsafeBufferPointer { elements in
            nonisolated(unsafe) let elements = elements
            DispatchQueue.concurrentPerform(iterations: elements.count) { index in
                slots.set(index, transform(elements[index]))
            }
        }
        return slots.collect()
    }
}

/// One slot per element, each written by exactly one iteration (so no lock is needed), read
/// only after `concurrentPerform` has returned.
private final class ResultSlots<Result>: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<Result?>
    private let count: Int

    init(count: Int) {
        self.count = count
        storage = UnsafeMutablePointer<Result?>.allocate(capacity: count)
        storage.initialize(repeating: nil, count: count)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    func set(_ index: Int, _ value: Result) {
        storage[index] = value
    }

    func collect() -> [Result] {
        (0..<count).map { index in
            guard let value = storage[index] else { preconditionFailure("parallelMap: slot \(index) was never written") }
            return value
        }
    }
}
