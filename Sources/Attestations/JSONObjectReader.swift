/// Strict reading of one JSON object with a JSON path for every error (internal).
package struct JSONObjectReader {
    package let members: [String: JSONValue]
    package let path: String
    package let code: AttestationError.Code

    package init(_ value: JSONValue, path: String, code: AttestationError.Code) throws(AttestationError) {
        guard case .object(let members) = value else {
            throw AttestationError(code, "\(path): expected an object, found \(value.kindName)")
        }
        self.members = members
        self.path = path
        self.code = code
    }

    package func child(_ key: String) -> String { "\(path).\(key)" }

    package func fail(_ key: String, _ what: String) -> AttestationError {
        AttestationError(code, "\(child(key)): \(what)")
    }

    /// Refuses any member not in `allowed` (fail closed on fields we do not understand).
    package func rejectUnknown(allowed: Set<String>) throws(AttestationError) {
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw AttestationError(code, "\(child(unknown)): unknown field")
        }
    }

    package func require(_ key: String) throws(AttestationError) -> JSONValue {
        guard let value = members[key] else { throw fail(key, "missing required field") }
        return value
    }

    /// The member, or nil when absent or JSON null.
    package func optional(_ key: String) -> JSONValue? {
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }

    package func string(_ key: String) throws(AttestationError) -> String {
        let value = try require(key)
        guard case .string(let text) = value else { throw fail(key, "expected a string, found \(value.kindName)") }
        return text
    }

    package func array(_ key: String) throws(AttestationError) -> [JSONValue] {
        let value = try require(key)
        guard case .array(let elements) = value else { throw fail(key, "expected an array, found \(value.kindName)") }
        return elements
    }

    package func integer(_ key: String) throws(AttestationError) -> Int {
        let value = try require(key)
        guard case .number(let number) = value, number.rounded() == number, abs(number) < 1e15 else {
            throw fail(key, "expected an integer, found \(value.kindName)")
        }
        return Int(number)
    }

    /// A standard-alphabet, padded base64 string, decoded; with `lineBreaks`, CR and LF between
    /// the characters are ignored (protobuf-JSON `bytes` of Sigstore bundles).
    package func base64(_ key: String, lineBreaks: Bool = false) throws(AttestationError) -> [UInt8] {
        let text = try string(key)
        guard let bytes = lineBreaks ? Encoding.base64IgnoringLineBreaks(text) : Encoding.base64(text) else {
            throw fail(key, "not valid base64 (standard alphabet, padded)")
        }
        return bytes
    }
}

extension JSONValue {
    /// The JSON type name, for error messages.
    package var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
