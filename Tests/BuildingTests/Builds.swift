import Testing

/// The parent of every suite that builds: its tests run one at a time. A build waits for child
/// processes synchronously, so a running build holds one of the cooperative pool's threads (two on
/// a 2-core machine) — the threads the in-process index servers of every other suite answer on.
/// One build at a time leaves the other thread to them.
@Suite(.serialized) enum Builds {}
