import Testing
@testable import PythonPackaging
