// Attestations
