/// Every fuzz target, by name.
public enum FuzzTargets {
    public static let all: [FuzzTarget] = [
        PackagingTargets.wheel,
        PackagingTargets.record,
        PackagingTargets.metadata,
        PackagingTargets.filenames,
        PackagingTargets.version,
        VerificationTargets.entryPoints,
        VerificationTargets.wrapper,
        EnvironmentTargets.pyvenvConfig,
        EnvironmentTargets.interpreterAnswer,
        EnvironmentTargets.pipSource,
        AttestationTargets.provenance,
        AttestationTargets.dsse,
        AttestationTargets.statement,
        AttestationTargets.bundle,
        AttestationTargets.trustedRoot,
        AttestationTargets.rekorBody,
        AttestationTargets.logEntry,
        AttestationTargets.checkpoint,
        AttestationTargets.timestamp,
        AttestationTargets.certificate,
        AttestationTargets.sct,
        AttestationTargets.keys,
        JSONTargets.canonicalJSON,
        JSONTargets.tuf,
        IndexTargets.simpleJSON,
        IndexTargets.simpleHTML,
        IndexTargets.pipConfig,
        IndexTargets.netrc,
        IndexTargets.url,
        ServerTargets.serverHeaders,
        TerminalTargets.terminal,
    ]

    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
