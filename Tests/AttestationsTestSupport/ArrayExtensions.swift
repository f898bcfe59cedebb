import Attestations
import Foundation

extension Array where Element == UInt8 {
    /// Lowercase hex of the bytes.
    package var hex: String { map { String(format: "%02x", $0) }.joined() }
}

extension Array where Element == StatementCheck {
    /// Every check passed (and there was at least one).
    package var allPassed: Bool { !isEmpty && allSatisfy { $0.passed } }
}
