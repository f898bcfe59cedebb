import Testing
@testable import PackageIndex
