//! What the plugins print: data on stdout (a table, or JSON/YAML with a stable schema);
//! progress, warnings and errors on stderr. Colour only on a terminal, never with NO_COLOR
//! or `--no-color`.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use comfy_table::{Cell, CellAlignment, Color, ContentArrangement, Table, presets};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
    Yaml,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "json" => Ok(Format::Json),
            "yaml" => Ok(Format::Yaml),
            "table" | "wide" => Ok(Format::Table),
            other => Err(format!(
                "unable to match a printer suitable for the output format {other:?}, allowed formats are: json,yaml,table"
            )),
        }
    }
}

static COLOR: OnceLock<bool> = OnceLock::new();
static VERBOSITY: AtomicU8 = AtomicU8::new(0);

/// Decides once whether to colour (see `wants_color`).
pub fn init(no_color: bool, verbosity: u8) {
    let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
    let env_off = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let tty = std::io::stdout().is_terminal();
    let _ = COLOR.set(wants_color(no_color || env_off, forced, tty));
    VERBOSITY.store(verbosity, Ordering::Relaxed);
}

/// Colour on a terminal; `--no-color` or NO_COLOR turn it off whatever else is set (the
/// NO_COLOR convention); CLICOLOR_FORCE turns it on off a terminal (CI logs, `| less -R`).
fn wants_color(off: bool, forced: bool, tty: bool) -> bool {
    !off && (forced || tty)
}

pub fn color() -> bool {
    *COLOR.get().unwrap_or(&false)
}

fn stderr_color() -> bool {
    color() && std::io::stderr().is_terminal()
}

pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

/// A debug line on stderr, shown with `-v`.
pub fn debug(msg: &str) {
    if verbosity() > 0 {
        eprintln!("debug: {msg}");
    }
}

/// `text` from the cluster (Vault errors, logs, Events) without terminal control sequences: a
/// crafted message must not move the cursor, retitle the terminal or hide what was printed.
/// Newlines and tabs stay.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => match chars.peek() {
                // CSI: parameters and intermediates up to a final byte in @..~.
                Some('[') => {
                    chars.next();
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC, DCS, SOS, PM, APC: up to BEL or ST (ESC \\).
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    chars.next();
                    while let Some(c) = chars.next() {
                        if c == '\x07' || (c == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {
                    chars.next();
                }
            },
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

pub fn warn(msg: &str) {
    let msg = printable(msg);
    if stderr_color() {
        eprintln!("\x1b[33mwarning:\x1b[0m {msg}");
    } else {
        eprintln!("warning: {msg}");
    }
}

pub fn error_line(msg: &str) {
    // One line: an error that spans lines is hard to grep and to read in a pager.
    let msg = printable(msg).replace('\n', " ");
    if stderr_color() {
        eprintln!("\x1b[31merror:\x1b[0m {msg}");
    } else {
        eprintln!("error: {msg}");
    }
}

/// Prints `value` as JSON or YAML on stdout.
pub fn print_data<T: Serialize>(format: Format, value: &T) -> anyhow::Result<()> {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(value)?),
        Format::Yaml => print!("{}", serde_saphyr::to_string(value)?),
        Format::Table => anyhow::bail!("print_data called for table output"),
    }
    Ok(())
}

/// Prints `value` as the format asks: a table through `table`, or JSON/YAML as data.
pub fn print<T: Serialize>(
    format: Format,
    value: &T,
    table: impl FnOnce(&T),
) -> anyhow::Result<()> {
    match format {
        Format::Table => {
            table(value);
            Ok(())
        }
        f => print_data(f, value),
    }
}

/// A yes/no cell: green true, red false, `-` when unknown.
pub fn bool_cell(v: Option<bool>) -> Styled {
    match v {
        Some(true) => Styled::new("true", Tone::Good),
        Some(false) => Styled::new("false", Tone::Bad),
        None => Styled::new("-", Tone::Dim),
    }
}

/// How a cell should look: good, bad, a warning, or plain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Good,
    Bad,
    Warn,
    Dim,
}

pub struct Styled {
    pub text: String,
    pub tone: Tone,
}

impl Styled {
    pub fn new(text: impl Into<String>, tone: Tone) -> Styled {
        Styled {
            text: text.into(),
            tone,
        }
    }
}

impl<T: Into<String>> From<T> for Styled {
    fn from(t: T) -> Styled {
        Styled::new(t, Tone::Plain)
    }
}

/// A kubectl-style table: upper-case headers, no borders, columns separated by spaces.
/// Prints [`table`] and a line break.
pub fn print_table(headers: &[&str], rows: Vec<Vec<Styled>>) {
    println!("{}", table(headers, rows));
}

pub fn table(headers: &[&str], rows: Vec<Vec<Styled>>) -> String {
    let mut t = Table::new();
    t.load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(headers.iter().map(|h| Cell::new(h.to_uppercase())));
    let color = color();
    if color {
        t.enforce_styling();
    }
    for row in rows {
        t.add_row(row.into_iter().map(|s| {
            let cell = Cell::new(&s.text).set_alignment(CellAlignment::Left);
            match (color, s.tone) {
                (true, Tone::Good) => cell.fg(Color::Green),
                (true, Tone::Bad) => cell.fg(Color::Red),
                (true, Tone::Warn) => cell.fg(Color::Yellow),
                (true, Tone::Dim) => cell.fg(Color::DarkGrey),
                _ => cell,
            }
        }));
    }
    // comfy-table pads each cell with one space on both sides; kubectl starts flush left.
    t.to_string()
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A table whose rows may each carry an error: an ERROR column is added when any does.
pub fn table_with_errors(headers: &[&str], rows: Vec<(Vec<Styled>, Option<String>)>) -> String {
    let any = rows.iter().any(|(_, e)| e.is_some());
    let mut headers = headers.to_vec();
    if any {
        headers.push("error");
    }
    let rows = rows
        .into_iter()
        .map(|(mut row, error)| {
            if let Some(e) = error {
                row.push(Styled::new(e, Tone::Warn));
            }
            row
        })
        .collect();
    table(&headers, rows)
}

/// The READY cell of a pod: `1/1`, `0/1`, or `-` when it is not a pod.
pub fn ready_cell(ready: Option<bool>) -> Styled {
    match ready {
        Some(true) => Styled::new("1/1", Tone::Good),
        Some(false) => Styled::new("0/1", Tone::Bad),
        None => Styled::new("-", Tone::Dim),
    }
}

/// Per-pod progress on stderr: spinners on a terminal, plain lines otherwise.
pub struct Progress {
    multi: Option<MultiProgress>,
}

pub struct Task {
    bar: Option<ProgressBar>,
    label: String,
}

impl Progress {
    pub fn new() -> Progress {
        let multi = std::io::stderr()
            .is_terminal()
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Progress { multi }
    }

    pub fn task(&self, label: &str) -> Task {
        let bar = self.multi.as_ref().map(|m| {
            let bar = m.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {prefix:.bold} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_prefix(label.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Task {
            bar,
            label: label.to_string(),
        }
    }
}

impl Progress {
    /// Stops drawing, while a child process writes to the terminal; `show` draws again.
    pub fn hide(&self) {
        if let Some(m) = &self.multi {
            m.set_draw_target(ProgressDrawTarget::hidden());
        }
    }

    pub fn show(&self) {
        if let Some(m) = &self.multi {
            m.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

impl Task {
    /// A step in progress (as plain lines only with -v: logs of scripts stay short).
    pub fn step(&self, msg: &str) {
        match &self.bar {
            Some(b) => b.set_message(msg.to_string()),
            None if verbosity() > 0 => eprintln!("{}: {msg}", self.label),
            None => {}
        }
    }

    /// Ends the task without a line of its own (an error line follows).
    pub fn clear(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }

    /// The task's final line.
    pub fn finish(&self, msg: &str) {
        match &self.bar {
            Some(b) => b.finish_with_message(msg.to_string()),
            None => eprintln!("{}: {msg}", self.label),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_color_wins_over_clicolor_force() {
        use super::wants_color;
        assert!(wants_color(false, false, true), "a terminal");
        assert!(!wants_color(false, false, false), "a pipe");
        assert!(wants_color(false, true, false), "CLICOLOR_FORCE on a pipe");
        assert!(
            !wants_color(true, true, true),
            "NO_COLOR or --no-color beat CLICOLOR_FORCE"
        );
    }

    use super::*;

    #[test]
    fn output_formats_parse_like_kubectl() {
        assert_eq!("json".parse::<Format>(), Ok(Format::Json));
        let err = "xml".parse::<Format>().unwrap_err();
        assert!(err.contains("allowed formats are"), "{err}");
    }

    #[test]
    fn tables_are_flush_left_with_upper_case_headers() {
        let t = table(
            &["pod", "sealed"],
            vec![vec!["vault-0".into(), "false".into()]],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("POD"), "{t}");
        assert!(lines[1].starts_with("vault-0"), "{t}");
    }
}

#[cfg(test)]
mod printable_tests {
    use super::printable;

    #[test]
    fn control_sequences_are_stripped() {
        assert_eq!(printable("plain\ttext\nnext"), "plain\ttext\nnext");
        assert_eq!(printable("\x1b[31mred\x1b[0m"), "red");
        assert_eq!(printable("a\x1b[2J\x1b[1;1Hb"), "ab");
        assert_eq!(printable("\x1b]0;pwned\x07title"), "title");
        assert_eq!(printable("\x1b]8;;http://x\x1b\\link"), "link");
        assert_eq!(printable("bell\x07 cr\r bs\x08 c1\u{9b}"), "bell cr bs c1");
        assert_eq!(printable("trailing\x1b"), "trailing");
    }
}
