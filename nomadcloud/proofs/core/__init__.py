"""Pure-Python cryptographic core of the proof-of-work credentials and their public log.

No Django imports: JCS canonical JSON (``jcs``), Ed25519 keys and signatures (``ed25519``),
W3C Data Integrity ``eddsa-jcs-2022`` proofs (``dataintegrity``), RFC 9162 Merkle trees
(``merkle``) and C2SP signed notes / tlog checkpoints (``note``). See docs/proofs.md.
"""
