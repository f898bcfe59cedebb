import Foundation

extension SLSAProvenance {
    /// Most bytes a predicate file or a parameters document may hold.
    public static let maxDocumentBytes = 1 << 20

    /// Reads a whole SLSA v1 predicate (the `predicate` member of a statement, not the statement)
    /// from JSON bytes, strictly: required fields present and typed, no field the format does not
    /// define (a misspelt `builderDependecies` is refused, not dropped), then ``validate()``.
    public init(predicateJSON data: Data) throws(AttestationError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(data, maxBytes: Self.maxDocumentBytes, what: "predicate")
        } catch {
            throw AttestationError(.malformedPredicate, error.message)
        }
        try self.init(parsing: value)
    }

    /// Reads a whole predicate from a parsed JSON value (see ``init(predicateJSON:)``).
    public init(parsing value: JSONValue) throws(AttestationError) {
        let top = try JSONObjectReader(value, path: "predicate", code: .malformedPredicate)
        if top.members["_type"] != nil || top.members["predicateType"] != nil {
            throw AttestationError(
                .malformedPredicate, "predicate: this is a whole statement; give only its \"predicate\" object")
        }
        try top.rejectUnknown(allowed: ["buildDefinition", "runDetails"])
        let definition = try JSONObjectReader(top.require("buildDefinition"), path: top.child("buildDefinition"), code: .malformedPredicate)
        try definition.rejectUnknown(allowed: ["buildType", "externalParameters", "internalParameters", "resolvedDependencies"])
        let run = try JSONObjectReader(top.require("runDetails"), path: top.child("runDetails"), code: .malformedPredicate)
        try run.rejectUnknown(allowed: ["builder", "metadata", "byproducts"])
        let builder = try JSONObjectReader(run.require("builder"), path: run.child("builder"), code: .malformedPredicate)
        try builder.rejectUnknown(allowed: ["id", "version", "builderDependencies"])

        self.init(buildType: try definition.string("buildType"), builderID: try builder.string("id"))
        externalParameters = try Self.object(definition, "externalParameters", required: true) ?? [:]
        internalParameters = try Self.object(definition, "internalParameters", required: false)
        resolvedDependencies = try Self.descriptors(definition, "resolvedDependencies")
        builderDependencies = try Self.descriptors(builder, "builderDependencies")
        byproducts = try Self.descriptors(run, "byproducts")
        if let version = try Self.object(builder, "version", required: false) {
            var strings: [String: String] = [:]
            let versionReader = try JSONObjectReader(.object(version), path: builder.child("version"), code: .malformedPredicate)
            for key in version.keys.sorted() { strings[key] = try versionReader.string(key) }
            builderVersion = strings
        }
        if run.members["metadata"] != nil {
            let metadata = try JSONObjectReader(run.require("metadata"), path: run.child("metadata"), code: .malformedPredicate)
            try metadata.rejectUnknown(allowed: ["invocationId", "startedOn", "finishedOn"])
            invocationID = metadata.members["invocationId"] == nil ? nil : try metadata.string("invocationId")
            startedOn = metadata.members["startedOn"] == nil ? nil : try metadata.string("startedOn")
            finishedOn = metadata.members["finishedOn"] == nil ? nil : try metadata.string("finishedOn")
        }
        try validate()
    }

    /// A JSON object document given as parameters (`--external-parameters '{…}'`): `what` names
    /// the flag in errors.
    public static func parameters(json data: Data, what: String) throws(AttestationError) -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(data, maxBytes: maxDocumentBytes, what: what)
        } catch {
            throw AttestationError(.malformedPredicate, error.message)
        }
        guard case .object(let members) = value else {
            throw AttestationError(.malformedPredicate, "\(what): expected a JSON object, found \(value.kindName)")
        }
        return members
    }

    private static func object(_ reader: JSONObjectReader, _ key: String, required: Bool) throws(AttestationError) -> [String: JSONValue]? {
        guard let value = reader.members[key] else {
            if required { throw reader.fail(key, "missing required field") }
            return nil
        }
        guard case .object(let members) = value else {
            throw reader.fail(key, "expected an object, found \(value.kindName)")
        }
        return members
    }

    private static func descriptors(_ reader: JSONObjectReader, _ key: String) throws(AttestationError) -> [ResourceDescriptor] {
        guard reader.members[key] != nil else { return [] }
        var result: [ResourceDescriptor] = []
        for (index, element) in try reader.array(key).enumerated() {
            result.append(try ResourceDescriptor(parsing: element, path: "\(reader.child(key))[\(index)]"))
        }
        return result
    }
}
