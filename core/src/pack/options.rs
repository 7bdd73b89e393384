//! How a pack is loaded: the digest it must have, and where its paths may lead.

#[cfg(feature = "pack-dir")]
use std::path::PathBuf;

use crate::error::LoadError;

/// Options of loading a pack, from a directory or a bundle. The common case needs none.
///
/// ```
/// # std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).unwrap();
/// use baokao::{Engine, LoadOptions};
///
/// // A portal pins the exact pack it reviewed: in production the digest is a constant of its own
/// // code (`sha256:…`, as `baokao bundle` prints it); here it is read from the pack.
/// let reviewed = Engine::from_dir("rules/nmec-2024")?;
/// let text = reviewed.bundle(false).to_json();
/// let pinned = LoadOptions::default().with_digest(reviewed.info().digest.to_string());
/// let engine = Engine::from_bundle_with(&text, &pinned)?; // also from_dir_with, from_path_with
///
/// // Any other content is refused before it is compiled.
/// let other = LoadOptions::default().with_digest(format!("sha256:{}", "0".repeat(64)));
/// let refused = Engine::from_bundle_with(&text, &other).err().map(|e| e.code());
/// assert_eq!(refused, Some("digest_mismatch"));
/// # drop(engine);
/// # Ok::<(), baokao::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// The content digest the pack must have (`sha256:` and 64 hex digits, as
    /// [`Bundle::digest`](crate::Bundle) and every report's `pack.digest` show it). A pack with
    /// any other content is refused with `digest_mismatch`; `None` accepts any pack.
    pub digest: Option<String>,
    /// Pack roots besides the default one (the directory that holds the pack directory): where
    /// the pack's paths — `extends`, example applications, symbolic links — may also lead.
    /// Pack directories only (without the `pack-dir` feature there is no such field).
    #[cfg(feature = "pack-dir")]
    pub pack_roots: Vec<PathBuf>,
}

impl LoadOptions {
    /// Refuse any pack whose content digest is not `digest` (`sha256:…`).
    #[must_use]
    pub fn with_digest(mut self, digest: impl Into<String>) -> Self {
        self.digest = Some(digest.into());
        self
    }

    /// Also let the pack's paths (`extends`, example applications) lead into `dir` and below.
    #[cfg(feature = "pack-dir")]
    #[must_use]
    pub fn with_pack_root(mut self, dir: impl Into<PathBuf>) -> Self {
        self.pack_roots.push(dir.into());
        self
    }

    /// Check a pack's digest against the expected one, if any.
    pub fn check_digest(&self, actual: &str) -> Result<(), LoadError> {
        let Some(expected) = &self.digest else {
            return Ok(());
        };
        let hex = expected.strip_prefix("sha256:").unwrap_or("");
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(LoadError::Invalid {
                code: "invalid_digest",
                loc: None,
                message: format!(
                    "the expected digest `{expected}` is not `sha256:` followed by 64 hex digits"
                ),
            });
        }
        if !actual
            .strip_prefix("sha256:")
            .is_some_and(|a| a.eq_ignore_ascii_case(hex))
        {
            return Err(LoadError::UnexpectedDigest {
                expected: expected.clone(),
                actual: actual.to_owned(),
            });
        }
        Ok(())
    }
}
