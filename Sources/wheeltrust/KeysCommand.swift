import ArgumentParser
import Attestations
import Verification

/// `wheeltrust keys`: the keys a verifying command would trust with the same options.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "List the trusted keys with their SHA-256 SPKI fingerprints and 64-bit key ids.")

    @OptionGroup var trust: TrustOptions

    func run() throws {
        let setup = VerificationSetup(keyFiles: trust.keys, noDefaultKeys: trust.noDefaultKeys)
        let keys = try prepare { () throws(VerificationError) in try setup.trustedKeys() }
        if keys.isEmpty {
            emit("no trusted keys: nothing key-signed will verify\n")
            return
        }
        for key in keys {
            emit("\(key.name)\n  type: \(key.key.kind)\n  key id: \(key.key.keyID)\n  sha256 fingerprint: \(key.key.fingerprint)\n")
        }
    }
}
