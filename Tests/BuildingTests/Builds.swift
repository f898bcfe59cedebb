import Testing

/// The parent of every suite that builds: its tests run one at a time. A build is a chain of
/// CPU-heavy child processes (venv creation, pip downloads and installs, the backend's hooks);
/// on a 2-core machine two builds at once finish no sooner than one after the other, and each
/// would take longer while it competes with the rest of the suite (builds are awaited off the
/// cooperative pool, so running them in parallel would be safe, only slower per test).
@Suite(.serialized) enum Builds {}
