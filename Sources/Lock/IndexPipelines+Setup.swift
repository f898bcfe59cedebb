import PackageIndex
import PythonPackaging
import Verification

extension IndexPipelines {
    /// The pipelines for `indexes` (a lock's entries' `index` values) under `setup`'s trust, and
    /// the configuration of the default index: an entry's `index`, else the setup's index URL,
    /// else pip's configuration for `python` (the one place that decides). A lock's index
    /// inherits the default's certificate bundle and nothing else.
    public static func make(
        setup: VerificationSetup, python: PythonEnvironment, indexes: [String]
    ) throws(VerificationError) -> (pipelines: IndexPipelines, defaultIndex: IndexConfiguration) {
        let configuration = try setup.indexConfiguration(for: python)
        let defaultPipeline = Pipeline(context: try setup.context(configuration: configuration))
        let pipelines = try IndexPipelines(defaultPipeline: defaultPipeline, indexes: indexes) { url throws(VerificationError) in
            let named = IndexConfiguration(
                indexURL: url, certificateBundle: configuration.certificateBundle, source: "the lock file's index")
            return Pipeline(context: try setup.context(configuration: named))
        }
        return (pipelines, configuration)
    }
}
