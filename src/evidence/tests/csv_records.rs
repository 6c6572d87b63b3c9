//! The record splitter against the `csv` crate: the same records, cell by cell, and the
//! same start lines (computed as the loader computed them from the crate's byte position),
//! for random bytes read in blocks of any size.

use proptest::prelude::*;

use super::super::NoProgress;
use super::super::input::Input;
use super::Records;

type Split = Vec<(Vec<Vec<u8>>, u64, u64)>;

/// Records, start lines and inner line breaks through [`Records`].
fn split(data: &[u8], delimiter: u8, block: usize) -> Split {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("t.csv");
    std::fs::write(&path, data).unwrap_or_else(|e| panic!("{e}"));
    let mut input = Input::open(&path, None, block, &NoProgress, "t").unwrap_or_else(|_| panic!("open"));
    let mut records = Records::new(delimiter);
    let mut out = Vec::new();
    while let Some(mut batch) = records.next(&mut input).unwrap_or_else(|_| panic!("read")) {
        while let Some(record) = batch.next() {
            let cells: Vec<Vec<u8>> = record.iter().map(<[u8]>::to_vec).collect();
            // The text of a cell is its bytes; it is there whenever the whole input is
            // UTF-8 (a batch is checked at once, so a bad line elsewhere in it may hide
            // the text of good ones; the loader only reads checked input).
            for (i, cell) in cells.iter().enumerate() {
                let text = record.text(i);
                assert!(text.is_none_or(|t| t.as_bytes() == cell.as_slice()));
                assert!(text.is_some() || std::str::from_utf8(data).is_err());
            }
            out.push((cells, record.line, record.inner_newlines));
        }
    }
    out
}

/// The same through the `csv` crate, with the line arithmetic the loader used with it.
fn reference(data: &[u8], delimiter: u8) -> Split {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut record = csv::ByteRecord::new();
    let mut out = Vec::new();
    while reader
        .read_byte_record(&mut record)
        .unwrap_or_else(|e| panic!("{e}"))
    {
        let end = reader.position().byte() as usize;
        let consumed = data.get(..end).unwrap_or(&[]);
        let before = memchr::memchr_iter(b'\n', consumed).count() as u64;
        let inner = memchr::memchr_iter(b'\n', record.as_slice()).count() as u64;
        let terminated = consumed.last() == Some(&b'\n');
        let line = 1 + before - inner - u64::from(terminated);
        out.push((record.iter().map(<[u8]>::to_vec).collect(), line, inner));
    }
    out
}

fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        6 => prop::sample::select(b"ab c".to_vec()),
        3 => Just(b','),
        1 => Just(b';'),
        2 => Just(b'"'),
        2 => Just(b'\n'),
        1 => Just(b'\r'),
        1 => Just(0xC3),
    ];
    prop::collection::vec(byte, 0..300)
}

/// Lines that look like exports: plain rows, quoted cells with delimiters, quotes and
/// line breaks inside, CRLF or LF ends, blank lines.
fn csv_rows() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        4 => "[a-z0-9 ]{0,6}".prop_map(String::into_bytes),
        1 => "[a-z,\"\n\r ]{0,6}".prop_map(|s| {
            let mut out = vec![b'"'];
            for b in s.bytes() {
                out.push(b);
                if b == b'"' {
                    out.push(b'"');
                }
            }
            out.push(b'"');
            out
        }),
    ];
    let row = (
        prop::collection::vec(cell, 1..5),
        prop::sample::select(vec!["\n", "\r\n", "\n\n", "\r\n\r\n", ""]),
    )
        .prop_map(|(cells, end)| {
            let mut out = cells.join(&b","[..]);
            out.extend_from_slice(end.as_bytes());
            out
        });
    prop::collection::vec(row, 0..12).prop_map(|rows| rows.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_split_as_the_csv_crate_splits_them(
        data in csv_bytes(),
        semicolon in any::<bool>(),
        block in 1usize..40,
    ) {
        let delimiter = if semicolon { b';' } else { b',' };
        prop_assert_eq!(split(&data, delimiter, block), reference(&data, delimiter));
    }

    #[test]
    fn export_like_rows_split_as_the_csv_crate_splits_them(data in csv_rows(), block in 1usize..64) {
        prop_assert_eq!(split(&data, b',', block), reference(&data, b','));
        prop_assert_eq!(split(&data, b',', 1 << 16), reference(&data, b','));
    }
}

#[test]
fn plain_lines_stay_in_the_buffer_and_quoted_ones_are_unquoted() {
    let data = b"a,b\r\n\"x,\"\"y\"\"\",z\nc,\n\nlast";
    let got = split(data, b',', 1 << 16);
    assert_eq!(got, reference(data, b','));
    let cells: Vec<Vec<&[u8]>> = got
        .iter()
        .map(|(c, _, _)| c.iter().map(Vec::as_slice).collect())
        .collect();
    assert_eq!(
        cells,
        vec![
            vec![&b"a"[..], b"b"],
            vec![&b"x,\"y\""[..], b"z"],
            vec![&b"c"[..], b""],
            vec![&b"last"[..]],
        ]
    );
    let lines: Vec<u64> = got.iter().map(|(_, line, _)| *line).collect();
    assert_eq!(lines, vec![1, 2, 3, 5]);
}
