#!/usr/bin/env python3
"""Builds the TUF test repositories for wheeltrust's TUF client (Sources/TUF).

Run with python-tuf (from the package index):

    python3 -m venv /tmp/tufvenv && /tmp/tufvenv/bin/pip install tuf
    /tmp/tufvenv/bin/python make_repository.py        # writes next to this script

Output (all keys are throwaway, generated per run; no private key is written):

    good/metadata/       1.root.json 2.root.json 3.root.json  (root v1 -> v2 -> v3)
                         1.snapshot.json 2.snapshot.json 1.targets.json 2.targets.json
                         timestamp.json (v2)
    good/targets/        <sha256>.trusted_root.json and <sha512>.trusted_root.json
    <attack>/            an overlay: only the files that differ from good/ (a server or fetcher
                         looks in the overlay first, then in good/)

Keys and rotations in good/ (consistent_snapshot true everywhere):
    root v1: root keys {A ed25519}, threshold 1
    root v2: root keys {A, B ecdsa-sha2-nistp256}, threshold 2 (signed by A, B)
    root v3: root keys {B, C rsassa-pss-sha256}, threshold 2 (signed by A, B, C);
             timestamp key changes from T1 (ecdsa) to T2 (ed25519)
    snapshot key S (rsassa-pss-sha256), targets key G (ed25519)

The client under test starts from good/metadata/1.root.json, updates from good/ (reaching
timestamp/snapshot/targets v2), then updates from an attack overlay. See README.md there.
"""

import hashlib
import json
import os
import shutil
import sys
from datetime import datetime, timezone

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

HERE = os.path.dirname(os.path.abspath(__file__))
FAR = datetime(2099, 1, 1, tzinfo=timezone.utc)
PAST = datetime(2021, 1, 1, tzinfo=timezone.utc)
TARGET_NAME = "trusted_root.json"
# The target is a copy of wheeltrust's embedded production trusted_root.json.
TARGET_SOURCE = os.path.join(HERE, "../../../../Sources/Sigstore/Resources/sigstore/prod/trusted_root.json")

A = CryptoSigner.generate_ed25519()
B = CryptoSigner.generate_ecdsa()
C = CryptoSigner.generate_rsa(scheme="rsassa-pss-sha256", size=2048)
T1 = CryptoSigner.generate_ecdsa()
T2 = CryptoSigner.generate_ed25519()
S = CryptoSigner.generate_rsa(scheme="rsassa-pss-sha256", size=2048)
G = CryptoSigner.generate_ed25519()
STRANGER = CryptoSigner.generate_ed25519()
DELEGATE = CryptoSigner.generate_ed25519()

SERIALIZER = JSONSerializer(compact=False)


def write(directory, name, md, signers):
    md.signatures.clear()
    for signer in signers:
        md.sign(signer, append=True)
    path = os.path.join(HERE, directory, "metadata", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = md.to_bytes(SERIALIZER)
    with open(path, "wb") as f:
        f.write(data)
    return data


def write_raw(directory, name, data):
    path = os.path.join(HERE, directory, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def make_root(version, root_keys, threshold, timestamp_key, expires=FAR):
    root = Root(version=version, expires=expires, consistent_snapshot=True)
    for key in root_keys:
        root.add_key(key.public_key, "root")
    root.roles["root"].threshold = threshold
    root.add_key(timestamp_key.public_key, "timestamp")
    root.add_key(S.public_key, "snapshot")
    root.add_key(G.public_key, "targets")
    return Metadata(root)


def make_targets(version, target_bytes, expires=FAR, length=None, delegate=False):
    targets = Targets(version=version, expires=expires)
    if delegate:
        # A delegated role (never searched by wheeltrust's client: the tests show that it says so).
        targets.delegations = Delegations(
            keys={DELEGATE.public_key.keyid: DELEGATE.public_key},
            roles={"role1": DelegatedRole(name="role1", keyids=[DELEGATE.public_key.keyid], threshold=1,
                                          terminating=True, paths=["delegated/*"])})
    target = TargetFile.from_data(TARGET_NAME, target_bytes, ["sha256", "sha512"])
    if length is not None:
        target.length = length
    targets.targets[TARGET_NAME] = target
    return Metadata(targets)


def make_snapshot(version, targets_version, expires=FAR, role1=True):
    meta = {"targets.json": MetaFile(version=targets_version)}
    if role1:
        meta["role1.json"] = MetaFile(version=1)
    return Metadata(Snapshot(version=version, expires=expires, meta=meta))


def make_timestamp(version, snapshot_version, expires=FAR, snapshot_bytes=None):
    meta = MetaFile(version=snapshot_version)
    if snapshot_bytes is not None:
        meta = MetaFile(version=snapshot_version, length=len(snapshot_bytes),
                        hashes={"sha256": hashlib.sha256(snapshot_bytes).hexdigest()})
    return Metadata(Timestamp(version=version, expires=expires, snapshot_meta=meta))


def write_target(directory, data):
    for algorithm in ("sha256", "sha512"):
        digest = hashlib.new(algorithm, data).hexdigest()
        write_raw(directory, "targets/%s.%s" % (digest, TARGET_NAME), data)


def main():
    for entry in os.listdir(HERE):
        path = os.path.join(HERE, entry)
        if os.path.isdir(path):
            shutil.rmtree(path)

    with open(TARGET_SOURCE, "rb") as f:
        target_bytes = f.read()

    # ---- good: the whole history a real repository would publish ----
    root1 = make_root(1, [A], 1, T1)
    write("good", "1.root.json", root1, [A])
    root2 = make_root(2, [A, B], 2, T1)
    write("good", "2.root.json", root2, [A, B])
    root3 = make_root(3, [B, C], 2, T2)
    write("good", "3.root.json", root3, [A, B, C])

    targets1 = write("good", "1.targets.json", make_targets(1, target_bytes), [G])
    write("good", "1.snapshot.json", make_snapshot(1, 1, role1=False), [S])
    targets2 = write("good", "2.targets.json", make_targets(2, target_bytes, delegate=True), [G])
    role1 = Targets(version=1, expires=FAR)
    role1.targets["delegated/file.txt"] = TargetFile.from_data("delegated/file.txt", b"delegated\n", ["sha256"])
    write("good", "1.role1.json", Metadata(role1), [DELEGATE])
    write_raw("good", "targets/delegated/%s.file.txt" % hashlib.sha256(b"delegated\n").hexdigest(), b"delegated\n")
    snapshot2 = write("good", "2.snapshot.json", make_snapshot(2, 2), [S])
    write("good", "timestamp.json", make_timestamp(2, 2), [T2])
    write_target("good", target_bytes)

    # ---- rollback-timestamp: an older (validly signed) timestamp v1 ----
    write("rollback-timestamp", "timestamp.json", make_timestamp(1, 1), [T2])

    # ---- rollback-snapshot: a newer timestamp naming the older snapshot v1 ----
    write("rollback-snapshot", "timestamp.json", make_timestamp(3, 1), [T2])

    # ---- rollback-targets: snapshot v3 lists targets v1 (trusted: v2) ----
    write("rollback-targets", "3.snapshot.json", make_snapshot(3, 1), [S])
    write("rollback-targets", "timestamp.json", make_timestamp(3, 3), [T2])

    # ---- snapshot-removes-role: snapshot v3 no longer lists role1.json ----
    write("snapshot-removes-role", "3.snapshot.json", make_snapshot(3, 2, role1=False), [S])
    write("snapshot-removes-role", "timestamp.json", make_timestamp(3, 3), [T2])

    # ---- freeze: a validly signed timestamp that expired in 2021 ----
    write("freeze", "timestamp.json", make_timestamp(3, 2, expires=PAST), [T2])

    # ---- mix-and-match-snapshot: timestamp v3 names snapshot v3; 3.snapshot.json is v2's file ----
    write("mix-and-match-snapshot", "timestamp.json", make_timestamp(3, 3), [T2])
    write_raw("mix-and-match-snapshot", "metadata/3.snapshot.json", snapshot2)

    # ---- mix-and-match-targets: snapshot v3 names targets v3; 3.targets.json is v2's file ----
    write("mix-and-match-targets", "3.snapshot.json", make_snapshot(3, 3), [S])
    write("mix-and-match-targets", "timestamp.json", make_timestamp(3, 3), [T2])
    write_raw("mix-and-match-targets", "metadata/3.targets.json", targets2)

    # ---- snapshot-hash-mismatch: timestamp pins snapshot v3's hash; a different v3 is served ----
    pinned = make_snapshot(3, 2)
    pinned.sign(S)
    pinned_bytes = pinned.to_bytes(SERIALIZER)
    write("snapshot-hash-mismatch", "timestamp.json", make_timestamp(3, 3, snapshot_bytes=pinned_bytes), [T2])
    write("snapshot-hash-mismatch", "3.snapshot.json", make_snapshot(3, 2, expires=datetime(2098, 1, 1, tzinfo=timezone.utc)), [S])

    # ---- target-hash-mismatch: same length, one byte different, under the listed hash names ----
    forged = bytearray(target_bytes)
    forged[10] ^= 0x01
    for algorithm in ("sha256", "sha512"):
        digest = hashlib.new(algorithm, target_bytes).hexdigest()
        write_raw("target-hash-mismatch", "targets/%s.%s" % (digest, TARGET_NAME), bytes(forged))

    # ---- wrong-target-length: targets v3 states a length one byte shorter than the file ----
    write("wrong-target-length", "3.targets.json", make_targets(3, target_bytes, length=len(target_bytes) - 1), [G])
    write("wrong-target-length", "3.snapshot.json", make_snapshot(3, 3), [S])
    write("wrong-target-length", "timestamp.json", make_timestamp(3, 3), [T2])

    # ---- root-below-threshold: 4.root.json signed by B only (v3 and v4 need 2) plus a stranger ----
    root4 = make_root(4, [B, C], 2, T2)
    write("root-below-threshold", "4.root.json", root4, [B, STRANGER])

    # ---- root-new-keys-below-threshold: 4.root.json signed by v3's keys B, C but v4's keys are D, E ----
    D = CryptoSigner.generate_ed25519()
    E = CryptoSigner.generate_ed25519()
    write("root-new-keys-below-threshold", "4.root.json", make_root(4, [D, E], 2, T2), [B, C, D])

    # ---- root-duplicate-signatures: B's signature twice (counts once) ----
    duplicated = make_root(4, [B, C], 2, T2)
    duplicated.sign(B, append=True)
    data = json.loads(duplicated.to_bytes(SERIALIZER))
    data["signatures"].append(dict(data["signatures"][0]))
    write_raw("root-duplicate-signatures", "metadata/4.root.json", json.dumps(data, indent=1, sort_keys=True).encode())

    # ---- root-version-skip: 4.root.json carries version 5 ----
    write("root-version-skip", "4.root.json", make_root(5, [B, C], 2, T2), [B, C])

    # ---- root-expired: a valid 4.root.json that expired in 2021 (freeze of the root) ----
    write("root-expired", "4.root.json", make_root(4, [B, C], 2, T2, expires=PAST), [B, C])

    # ---- timestamp-wrong-key: timestamp v3 signed by the rotated-out key T1 ----
    write("timestamp-wrong-key", "timestamp.json", make_timestamp(3, 2), [T1])

    print("wrote", ", ".join(sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d)))))


if __name__ == "__main__":
    sys.exit(main())
