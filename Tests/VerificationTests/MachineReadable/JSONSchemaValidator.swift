import Foundation
import Testing

/// Validates JSON documents against a JSON schema with a real validator: Python's `jsonschema`
/// (the validator class the schema's `$schema` names, with format checking).
///
/// `.ci/run` installs `jsonschema` into its tool venv and exports that venv's Python as
/// `WHEELTRUST_TEST_JSONSCHEMA_PYTHON`; elsewhere `python3` is used when it imports `jsonschema`.
/// Tests that validate are skipped when neither does, except under CI (`CI` set), where they run
/// and fail.
enum JSONSchemaValidator {
    static let underCI = ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false

    /// The Python that validates: the CI tool venv's, else python3.
    static let python: String = {
        if let named = ProcessInfo.processInfo.environment["WHEELTRUST_TEST_JSONSCHEMA_PYTHON"], !named.isEmpty { return named }
        return TestProcess.python3
    }()

    /// Whether `python` imports `jsonschema` (checked once, synchronously).
    static let isAvailable: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import jsonschema"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Run the validating tests: always under CI (they fail there when the validator is missing).
    static var shouldRun: Bool { underCI || isAvailable }

    static let script = """
        import json, sys
        import jsonschema
        schema = json.load(open(sys.argv[1], encoding="utf-8"))
        document = json.load(open(sys.argv[2], encoding="utf-8"))
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
        for error in errors:
            print("/" + "/".join(map(str, error.absolute_path)) + ": " + error.message)
        print(cls.__name__, "errors:", len(errors))
        sys.exit(1 if errors else 0)
        """

    /// Validates `document` against the schema at `schema`; the validator's output names each
    /// error's JSON path.
    static func validate(_ document: Data, schema: URL) async throws -> (valid: Bool, output: String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wt-schema-\(UUID().uuidString).json").path
        try document.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await TestProcess.run(python, ["-c", script, schema.path, path])
        return (result.status == 0, result.output)
    }

    static var sarifSchema: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("sarif/sarif-schema-2.1.0.json")
    }
}
