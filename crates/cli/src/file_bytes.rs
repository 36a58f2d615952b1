//! Reading an input file's bytes the cheapest way the operating system offers.

use std::ops::Deref;
use std::path::Path;

use pactum_core::contract::{LoadError, read_file};

/// A file's bytes: mapped into memory where possible, read otherwise.
///
/// Reading a file copies it into fresh memory, and each 4 KiB page of that memory costs a
/// page fault on first touch: for a 1.7 MB body, ~430 faults, a large share of a short
/// command's time (more in a virtual machine). A mapping shares the operating system's cached
/// pages, faulted in many at a time. The one-shot commands read their inputs whole and exit,
/// so the mapping lives no longer than the command.
pub(crate) enum FileBytes {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
}

impl FileBytes {
    /// The bytes of `file`, mapped unless mapping it fails (an empty file, a pipe, a platform
    /// without mappings), then read.
    pub(crate) fn of(file: &Path) -> Result<Self, LoadError> {
        if let Ok(opened) = std::fs::File::open(file)
            && opened.metadata().is_ok_and(|m| m.is_file() && m.len() > 0)
            // SAFETY: the map is only read. Were another process to change the file while it
            // is mapped, the bytes would change under the reader: undefined behaviour in Rust's
            // model, the caveat of every program that maps its inputs (ripgrep maps files the
            // same way). The commands using this map a file the user names for the moment they
            // read it; a file rewritten meanwhile gives a wrong answer whichever way it is read.
            && let Ok(map) = unsafe { memmap2::Mmap::map(&opened) }
        {
            return Ok(FileBytes::Mapped(map));
        }
        read_file(file).map(FileBytes::Read)
    }
}

impl Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(map) => map,
            FileBytes::Read(bytes) => bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file is mapped and gives its bytes; an empty file (which cannot be mapped) is read;
    /// a missing one is the same error naming it as reading it gives.
    #[test]
    fn mapped_read_and_missing_files() {
        let dir = std::env::temp_dir().join(format!("pactum-file-bytes-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let full = dir.join("full.json");
        let content = "{\"a\": [1, 2, 3]}\n".repeat(5_000);
        std::fs::write(&full, &content).unwrap();
        let bytes = FileBytes::of(&full).unwrap();
        assert!(
            matches!(bytes, FileBytes::Mapped(_)),
            "a regular file is mapped"
        );
        assert_eq!(&*bytes, content.as_bytes());

        let empty = dir.join("empty.json");
        std::fs::write(&empty, "").unwrap();
        let bytes = FileBytes::of(&empty).unwrap();
        assert!(matches!(bytes, FileBytes::Read(_)), "an empty file is read");
        assert!(bytes.is_empty());

        let missing = dir.join("missing.json");
        let error = FileBytes::of(&missing)
            .err()
            .expect("a missing file is an error");
        let read_error = read_file(&missing).unwrap_err();
        assert_eq!(error.to_string(), read_error.to_string());
        assert!(error.to_string().contains("missing.json"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
