//! Rule packs: the file model, loading a directory, and bundles (one JSON document for browsers).

#[cfg(feature = "pack-dir")]
pub mod load;
pub mod locations;
pub mod model;
pub mod options;

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::error::LoadError;
pub use model::Pack;
pub use options::LoadOptions;

/// The `format` string of bundles this version writes and reads.
pub const BUNDLE_FORMAT: &str = "baokao-bundle/1";
/// Largest bundle read, in bytes of JSON; a larger one is refused before it is parsed.
pub const MAX_BUNDLE_BYTES: usize = 16 * 1024 * 1024;

/// A bundle: the merged pack as one JSON document, with a content digest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// `sha256:` of the pack content (examples excluded, so a bundle without them judges the same).
    pub digest: String,
    /// The merged pack.
    pub pack: Pack,
}

/// The pack as the digest hashes it: its JSON with `examples` empty — the very bytes of
/// `serde_json::to_vec(&Pack { examples: Vec::new(), ..pack.clone() })` (a test checks it), written
/// from borrowed parts: cloning the whole pack cost compile time and, in the WebAssembly build,
/// the `Clone` code of every part of a pack.
#[derive(Serialize)]
struct Canonical<'p> {
    pack: &'p model::PackMeta,
    params: &'p std::collections::BTreeMap<String, model::ParamDef>,
    steps: &'p [model::StepDef],
    fields: &'p [model::FieldDef<model::Source>],
    tables: &'p std::collections::BTreeMap<String, model::TableDef>,
    rules: &'p [model::RuleDef<model::Source>],
    decisions: &'p [model::DecisionDef<model::Source>],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    materials: &'p [model::MaterialDef<model::Source>],
    #[serde(skip_serializing_if = "Option::is_none")]
    notice: Option<&'p model::NoticeDef<model::Source>>,
    examples: &'p [model::ExampleDef],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    omissions: &'p [model::OmissionDef],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    form_checks: &'p [model::FormCheckDef],
}

/// The content digest of a pack: SHA-256 of its canonical JSON without examples.
pub fn digest(pack: &Pack) -> String {
    let mut hasher = Sha256::new();
    // The examples are excluded; the rest serialises in a fixed order (structs in field order,
    // maps as BTreeMaps), so the digest is canonical.
    // INVARIANT: `Canonical` has every field of `Pack`, in its order, with its serde attributes;
    // the destructuring below fails to compile when `Pack` gains a field.
    let Pack {
        pack: meta,
        params,
        steps,
        fields,
        tables,
        rules,
        decisions,
        materials,
        notice,
        examples: _,
        omissions,
        form_checks,
        locs: _,
    } = pack;
    let view = Canonical {
        pack: meta,
        params,
        steps,
        fields,
        tables,
        rules,
        decisions,
        materials,
        notice: notice.as_ref(),
        examples: &[],
        omissions,
        form_checks,
    };
    if let Ok(bytes) = serde_json::to_vec(&view) {
        hasher.update(&bytes);
    }
    let hash = hasher.finalize();
    let mut s = String::with_capacity(7 + 64);
    s.push_str("sha256:");
    for b in hash {
        let _ = write!(s, "{b:02x}");
    }
    s
}

impl Pack {
    /// Load a pack directory — every `*.toml` under it, and the packs it extends — into one merged
    /// pack, without compiling it ([`Engine::from_pack`](crate::Engine::from_pack) does).
    #[cfg(feature = "pack-dir")]
    pub fn from_dir(dir: impl AsRef<std::path::Path>) -> Result<Pack, LoadError> {
        load::load_dir(dir.as_ref())
    }

    /// The content digest: `sha256:` of the pack's canonical JSON without its examples, the digest
    /// every report and bundle names.
    pub fn digest(&self) -> String {
        digest(self)
    }
}

impl Bundle {
    /// Bundle a pack; `with_examples` keeps the example applications (for conformance runs).
    pub fn new(pack: &Pack, with_examples: bool) -> Bundle {
        let mut pack = pack.clone();
        if !with_examples {
            pack.examples.clear();
        }
        Bundle {
            format: BUNDLE_FORMAT.to_owned(),
            digest: digest(&pack),
            pack,
        }
    }

    /// Read a bundle from JSON, checking its size, format and digest.
    pub fn from_json(text: &str) -> Result<Bundle, LoadError> {
        if text.len() > MAX_BUNDLE_BYTES {
            return Err(LoadError::Invalid {
                code: "bundle_too_large",
                loc: None,
                message: format!(
                    "bundle is {} bytes, more than the limit of {MAX_BUNDLE_BYTES}",
                    text.len()
                ),
            });
        }
        let bundle: Bundle = serde_json::from_str(text).map_err(|e| LoadError::Json {
            loc: Some(model::Loc {
                file: "bundle".into(),
                line: u32::try_from(e.line()).unwrap_or(0),
                column: u32::try_from(e.column()).unwrap_or(0),
            }),
            message: e.to_string(),
        })?;
        if bundle.format != BUNDLE_FORMAT {
            return Err(LoadError::Invalid {
                code: "bundle_format",
                loc: None,
                message: format!("bundle format `{}` is not `{BUNDLE_FORMAT}`", bundle.format),
            });
        }
        let actual = digest(&bundle.pack);
        if actual != bundle.digest {
            return Err(LoadError::DigestMismatch {
                stated: bundle.digest,
                actual,
            });
        }
        Ok(bundle)
    }

    /// The bundle as compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
