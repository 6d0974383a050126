//! Output in pieces of whole lines, and cells cut between characters.

use std::io::Write;
use std::sync::{Arc, Mutex};

use super::cells::capped;
use super::out::{ATOMIC, Out};
use super::table::MAX_CELL;

/// A sink that keeps each write apart.
#[derive(Clone, Default)]
struct Writes(Arc<Mutex<Vec<Vec<u8>>>>);

impl Write for Writes {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().push(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn output_goes_out_in_pieces_of_whole_lines() {
    let writes = Writes::default();
    let mut out = Out::to(Box::new(writes.clone()), ATOMIC);
    let short = "s".repeat(1000);
    let long = "l".repeat(ATOMIC * 2);
    let pretty = format!("{{\n{}\n}}", "  p\n".repeat(ATOMIC / 2));
    for line in [
        &short, &short, &short, &short, &short, &long, &short, &pretty,
    ] {
        out.line(line.clone()).unwrap();
    }
    out.flush().unwrap();
    let writes = writes.0.lock().unwrap().clone();
    assert_eq!(
        writes.concat(),
        format!("{short}\n{short}\n{short}\n{short}\n{short}\n{long}\n{short}\n{pretty}\n")
            .into_bytes()
    );
    for piece in &writes {
        // Whole lines; no more than a piece, but for a line longer than one.
        assert_eq!(piece.last(), Some(&b'\n'));
        assert!(piece.len() <= ATOMIC || !piece[..piece.len() - 1].contains(&b'\n'));
    }
    // Four short lines fill a piece; the long line goes alone.
    assert_eq!(writes[0].len(), 4 * 1001);
    assert_eq!(writes[2], format!("{long}\n").into_bytes());
    // Pretty JSON longer than a piece is cut between its lines.
    assert!(writes.len() > 4, "{}", writes.len());
}

#[test]
fn a_cell_is_cut_between_characters() {
    assert_eq!(capped("", MAX_CELL), "");
    let fits = "x".repeat(MAX_CELL);
    assert_eq!(capped(&fits, MAX_CELL), fits);
    let long = "x".repeat(MAX_CELL + 1);
    assert_eq!(
        capped(&long, MAX_CELL),
        format!("{}…", "x".repeat(MAX_CELL - 1))
    );
    // Characters of every UTF-8 length, cut anywhere: never a panic, never too long.
    for text in ["é", "€", "😀", "a\u{1b}b"] {
        for n in 0..=8 {
            let text = text.repeat(n);
            for max in 0..=10 {
                let shown = capped(&text, max);
                assert!(shown.chars().count() <= max, "{text:?} {max}: {shown:?}");
            }
        }
    }
    // Escaped first: what is shown is what is counted, and no control character is left.
    let escapes = "\u{1b}".repeat(100);
    let shown = capped(&escapes, 10);
    assert_eq!(shown, "\\u{1b}\\u{…");
    assert!(!shown.contains('\u{1b}'));
}
