import ArgumentParser
import Attestations
import Foundation
import PythonPackaging

/// The flags of `attest` that fill in the SLSA v1 predicate, or name a whole predicate file.
struct AttestPredicateOptions: ParsableArguments {
    @Option(help: "The SLSA builder id written into the statement (a URI).")
    var builderID: String?

    @Option(help: "The SLSA build type written into the statement (a URI).")
    var buildType: String?

    @Option(help: ArgumentHelp("buildDefinition.externalParameters: a JSON object, or @FILE holding one.", valueName: "JSON|@FILE"))
    var externalParameters: String?

    @Option(help: ArgumentHelp("buildDefinition.internalParameters: a JSON object, or @FILE holding one.", valueName: "JSON|@FILE"))
    var internalParameters: String?

    @Option(help: ArgumentHelp("A resolved dependency (repeatable).", valueName: "NAME=sha256:HEX[@URI]"))
    var resolvedDependency: [String] = []

    @Option(help: ArgumentHelp("A builder dependency (repeatable).", valueName: "NAME=sha256:HEX[@URI]"))
    var builderDependency: [String] = []

    @Option(help: ArgumentHelp("A byproduct of the build, e.g. its log (repeatable).", valueName: "NAME=sha256:HEX[@URI]"))
    var byproduct: [String] = []

    @Option(help: "runDetails.metadata.invocationId.")
    var invocationID: String?

    @Option(help: ArgumentHelp("runDetails.metadata.startedOn (RFC 3339).", valueName: "TIME"))
    var startedOn: String?

    @Option(help: ArgumentHelp("runDetails.metadata.finishedOn (RFC 3339; default: now).", valueName: "TIME"))
    var finishedOn: String?

    @Option(help: ArgumentHelp("A whole SLSA v1 predicate (JSON), instead of the flags above.", valueName: "FILE"))
    var predicate: String?

    /// The predicate flags that were given, by name (for the `--predicate` conflict).
    var givenFlags: [String] {
        var names: [String] = []
        if builderID != nil { names.append("--builder-id") }
        if buildType != nil { names.append("--build-type") }
        if externalParameters != nil { names.append("--external-parameters") }
        if internalParameters != nil { names.append("--internal-parameters") }
        if !resolvedDependency.isEmpty { names.append("--resolved-dependency") }
        if !builderDependency.isEmpty { names.append("--builder-dependency") }
        if !byproduct.isEmpty { names.append("--byproduct") }
        if invocationID != nil { names.append("--invocation-id") }
        if startedOn != nil { names.append("--started-on") }
        if finishedOn != nil { names.append("--finished-on") }
        return names
    }

    /// The predicate these flags describe, checked; a `UsageError` (one line naming the flag or
    /// the field) for anything wrong.
    func provenance(now: Date) throws -> SLSAProvenance {
        if let predicate {
            if let flag = givenFlags.first {
                throw UsageError("--predicate \(predicate) cannot be combined with \(flag): the file is the whole predicate")
            }
            let bytes = try Self.read(predicate, flag: "--predicate")
            do {
                return try SLSAProvenance(predicateJSON: Data(bytes))
            } catch {
                throw UsageError("--predicate \(predicate): \(error.message)")
            }
        }
        do {
            var provenance = SLSAProvenance(
                buildType: buildType ?? Attester.defaultBuildType, builderID: builderID ?? Attester.defaultBuilderID)
            if let externalParameters {
                provenance.externalParameters = try Self.parameters(externalParameters, flag: "--external-parameters")
            }
            if let internalParameters {
                provenance.internalParameters = try Self.parameters(internalParameters, flag: "--internal-parameters")
            }
            provenance.resolvedDependencies = try resolvedDependency.map { text throws(AttestationError) in
                try ResourceDescriptor(flagValue: text, what: "--resolved-dependency")
            }
            provenance.builderDependencies = try builderDependency.map { text throws(AttestationError) in
                try ResourceDescriptor(flagValue: text, what: "--builder-dependency")
            }
            provenance.byproducts = try byproduct.map { text throws(AttestationError) in
                try ResourceDescriptor(flagValue: text, what: "--byproduct")
            }
            provenance.invocationID = invocationID
            provenance.startedOn = startedOn
            provenance.finishedOn = finishedOn ?? SLSAProvenance.timestamp(now)
            do {
                try provenance.validate()
            } catch {
                throw AttestationError(error.code, "\(Self.flag(for: error.message)): \(error.message)")
            }
            return provenance
        } catch let error as AttestationError {
            throw UsageError(error.message)
        }
    }

    /// The flag that sets the field an error names.
    static func flag(for message: String) -> String {
        let fields: [(String, String)] = [
            ("predicate.buildDefinition.buildType", "--build-type"),
            ("predicate.runDetails.builder.id", "--builder-id"),
            ("predicate.runDetails.metadata.invocationId", "--invocation-id"),
            ("predicate.runDetails.metadata.startedOn", "--started-on"),
            ("predicate.runDetails.metadata.finishedOn", "--finished-on"),
            ("predicate.runDetails.metadata", "--started-on/--finished-on"),
        ]
        return fields.first { message.hasPrefix($0.0) }?.1 ?? "predicate"
    }

    private static func parameters(_ value: String, flag: String) throws -> [String: JSONValue] {
        let bytes: [UInt8]
        let what: String
        if value.hasPrefix("@") {
            let path = String(value.dropFirst())
            bytes = try read(path, flag: flag)
            what = "\(flag) @\(path)"
        } else {
            bytes = Array(value.utf8)
            what = flag
        }
        do {
            return try SLSAProvenance.parameters(json: Data(bytes), what: what)
        } catch {
            throw UsageError(error.message)
        }
    }

    private static func read(_ path: String, flag: String) throws -> [UInt8] {
        do {
            return try BoundedFile.read(path, cap: SLSAProvenance.maxDocumentBytes)
        } catch where error.code == .limitExceeded {
            throw UsageError("\(flag) \(path): larger than \(SLSAProvenance.maxDocumentBytes) bytes")
        } catch {
            throw UsageError("\(flag) \(path): cannot read the file")
        }
    }
}
