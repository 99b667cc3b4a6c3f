//! Statistics over trajectory records.
