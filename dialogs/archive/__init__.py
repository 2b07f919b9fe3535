"""Archive export: records the municipal archives take through KS Fiks Arkiv (arkivmelding V2)."""
