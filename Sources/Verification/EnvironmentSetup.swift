import PythonPackaging

extension VerificationSetup {
    /// The verifier of the environment these options name: its interpreter inspected (once, see
    /// ``inspectEnvironment()``), the index as pip would use it for that environment
    /// (``indexConfiguration(for:)``), uv's where it applies (``indexConfigurations(for:)``)
    /// and the pipeline's context (``context(configuration:)``), in
    /// that order, so the first problem found is the one reported. What `verify` and every
    /// single-step command that reads the environment start from.
    public func environmentVerifier() async throws(VerificationError) -> EnvironmentVerifier {
        let python = try await inspectEnvironment()
        let (primary, uv) = try indexConfigurations(for: python)
        let context = try context(configuration: primary, uv: uv)
        return EnvironmentVerifier(environment: python, pipeline: Pipeline(context: context))
    }
}
