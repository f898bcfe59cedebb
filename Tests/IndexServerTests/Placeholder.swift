import Testing
@testable import IndexServer
