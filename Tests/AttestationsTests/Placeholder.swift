import Testing
@testable import Attestations
