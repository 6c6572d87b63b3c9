//! Resolving a declared source path safely inside the evidence directory.
//!
//! Refused: an absolute path, a drive prefix, any `..` component, a path that resolves
//! (through symlinks) outside the evidence directory, and anything that is not a regular
//! file once resolved (a directory, a FIFO, a socket, a device).

use std::path::{Path, PathBuf};

use super::Plan;
use super::error::LoadErrorKind;

/// A source path that exists inside the evidence directory.
pub(crate) struct Resolved {
    pub(crate) path: PathBuf,
    pub(crate) size: u64,
}

/// Forward slashes, no empty or `.` components.
pub(crate) fn normalize(source: &str) -> String {
    let unified = source.replace('\\', "/");
    let absolute = unified.starts_with('/');
    let parts: Vec<&str> = unified
        .split('/')
        .filter(|part| !part.is_empty() && *part != ".")
        .collect();
    let joined = parts.join("/");
    if absolute { format!("/{joined}") } else { joined }
}

/// The source path's components when it stays inside the evidence directory by its text
/// alone: not empty, not absolute, no drive prefix, no `..`. Symbolic links are checked by
/// [`resolve`] once the file exists.
pub(crate) fn lexical(plan: &Plan<'_>) -> Result<PathBuf, super::LoadError> {
    let source = &plan.file;
    let escapes = |reason: &str| {
        plan.error(LoadErrorKind::PathEscapes {
            reason: reason.to_string(),
        })
    };
    if source.is_empty() {
        return Err(escapes("the path is empty"));
    }
    let has_drive = source.as_bytes().get(1) == Some(&b':');
    if source.starts_with('/') || has_drive || Path::new(&plan.spec.source).is_absolute() {
        return Err(escapes("the path is absolute"));
    }
    if source.split('/').any(|part| part == "..") {
        return Err(escapes("the path goes up with `..`"));
    }
    Ok(source.split('/').collect())
}

pub(crate) fn resolve(plan: &Plan<'_>, evidence_dir: &Path) -> Result<Resolved, super::LoadError> {
    let path = evidence_dir.join(lexical(plan)?);
    let missing = || {
        let expected_columns = plan
            .fields
            .iter()
            .filter_map(|f| f.from.first().cloned())
            .collect();
        plan.error(LoadErrorKind::MissingFile { expected_columns })
    };
    let unreadable = |e: std::io::Error| {
        plan.error(LoadErrorKind::Unreadable {
            reason: e.to_string(),
        })
    };
    let dir = match evidence_dir.canonicalize() {
        Ok(dir) => dir,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(e) => return Err(unreadable(e)),
    };
    let real = match path.canonicalize() {
        Ok(real) => real,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
        Err(e) => return Err(unreadable(e)),
    };
    if !real.starts_with(&dir) {
        return Err(plan.error(LoadErrorKind::PathEscapes {
            reason: "the path resolves through a symbolic link to a place outside the evidence directory"
                .to_string(),
        }));
    }
    let meta = std::fs::metadata(&real).map_err(unreadable)?;
    // Only a regular file is opened: reading a FIFO blocks until a writer comes (forever),
    // and a device or socket is not an export.
    if !meta.is_file() {
        return Err(plan.error(LoadErrorKind::Unreadable {
            reason: not_regular(&meta.file_type()),
        }));
    }
    Ok(Resolved {
        path: real,
        size: meta.len(),
    })
}

/// Why a path that is not a regular file is refused.
fn not_regular(kind: &std::fs::FileType) -> String {
    if kind.is_dir() {
        return String::from("it is a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return String::from("it is a FIFO (named pipe), not a regular file");
        }
        if kind.is_socket() {
            return String::from("it is a socket, not a regular file");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return String::from("it is a device, not a regular file");
        }
    }
    String::from("it is not a regular file")
}
