//! Prints where `gotrace::stream` cuts a trace (one line per segment: its
//! file offset, size, and whether it is the last).
//!
//!     cargo run --release -p gotrace --example segments -- FILE [TARGET_BYTES]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(file) = args.first() else {
        eprintln!("usage: segments FILE [TARGET_BYTES]");
        std::process::exit(2);
    };
    let target = args
        .get(1)
        .and_then(|t| t.parse().ok())
        .unwrap_or(gotrace::stream::DEFAULT_TARGET);
    let f = std::fs::File::open(file).unwrap_or_else(|e| {
        eprintln!("segments: {file}: {e}");
        std::process::exit(1);
    });
    let mut segs = gotrace::stream::Segments::new(f, target);
    loop {
        match segs.next_segment() {
            Ok(Some(s)) => println!("{} {} {}", s.base, s.bytes.len(), s.last),
            Ok(None) => break,
            Err(e) => {
                eprintln!("segments: {e}");
                std::process::exit(1);
            }
        }
    }
}
