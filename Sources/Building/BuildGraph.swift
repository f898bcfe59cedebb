/// The order a tree is built in: a package comes after every package its build needs installed —
/// its build requirements and, transitively, their runtime requirements (pip installs those into
/// the build environment too). Its own runtime requirements need not come first.
///
/// Guarantees: `order` is a topological order of those edges, ties broken by name (the same
/// input gives the same order); every package on a cycle is in exactly one of `cycles` (each
/// sorted), and a package that needs a cycle's member (directly or not) is in `blocked` with the
/// package it waits for; `order` holds exactly the others. Edges to packages outside the tree
/// (allowed prebuilt, or unresolved) impose no order.
public struct BuildGraph: Sendable, Hashable {
    /// Per package, the packages of the tree that must be built before it (sorted).
    public let needs: [String: [String]]
    public let order: [String]
    public let cycles: [[String]]
    /// Package → the package it waits for that can never be built in order.
    public let blocked: [String: String]

    public init(_ packages: [TreeResolution.Package]) {
        let byName = Dictionary(packages.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // The runtime closure of each name (inside the tree).
        func runtimeClosure(_ start: String) -> Set<String> {
            var seen: Set<String> = []
            var stack = [start]
            while let name = stack.popLast() {
                guard byName[name] != nil, seen.insert(name).inserted else { continue }
                stack.append(contentsOf: byName[name]?.requires ?? [])
            }
            return seen
        }
        var needs: [String: [String]] = [:]
        for package in packages {
            var set: Set<String> = []
            for requirement in package.buildRequires { set.formUnion(runtimeClosure(requirement)) }
            needs[package.name] = set.sorted()
        }
        self.needs = needs
        // Kahn's algorithm, smallest name first.
        var remaining = needs.mapValues { Set($0) }
        var order: [String] = []
        while let next = remaining.filter({ $0.value.isEmpty }).keys.min() {
            order.append(next)
            remaining[next] = nil
            for key in remaining.keys { remaining[key]?.remove(next) }
        }
        self.order = order
        // What is left is on a cycle or waits for one: strongly connected components of the rest.
        let rest = Set(remaining.keys)
        var cycles: [[String]] = []
        var onCycle: Set<String> = []
        for name in rest.sorted() where !onCycle.contains(name) {
            let component = Self.reachable(from: name, needs: needs, within: rest).filter {
                Self.reachable(from: $0, needs: needs, within: rest).contains(name)
            }
            if component.count > 1 || (needs[name] ?? []).contains(name) {
                cycles.append(component.sorted())
                onCycle.formUnion(component)
            }
        }
        var blocked: [String: String] = [:]
        for name in rest.sorted() where !onCycle.contains(name) {
            let waits = Self.reachable(from: name, needs: needs, within: rest).filter { onCycle.contains($0) }.sorted()
            blocked[name] = waits.first ?? rest.subtracting([name]).sorted().first ?? name
        }
        self.cycles = cycles
        self.blocked = blocked
    }

    /// Every name reachable from `start` through `needs` (itself included only when on a loop).
    static func reachable(from start: String, needs: [String: [String]], within: Set<String>) -> Set<String> {
        var seen: Set<String> = []
        var stack = needs[start] ?? []
        while let name = stack.popLast() {
            guard within.contains(name), seen.insert(name).inserted else { continue }
            stack.append(contentsOf: needs[name] ?? [])
        }
        seen.insert(start)
        return seen
    }
}
