//! The staff of the fictional company (Kuura Systems Oy, Helsinki) and, at scale, an
//! unbounded population drawn from the same name lists.

use std::collections::BTreeSet;

use crate::clock::{WINDOW_START_DAY, days_from_civil};
use crate::rng::Rng;

/// The company's mail domain; Okta logins are the lower-case work e-mail.
pub const DOMAIN: &str = "kuurasystems.fi";

/// Departments and their sample headcounts (120 people).
pub const DEPARTMENTS: [(&str, usize); 10] = [
    ("Management", 6),
    ("Engineering", 34),
    ("Service Desk", 22),
    ("Operations", 18),
    ("Sales", 11),
    ("Customer Success", 8),
    ("Finance", 6),
    ("HR", 4),
    ("Marketing", 6),
    ("Quality & Compliance", 5),
];

/// Index of Sales in [`DEPARTMENTS`]: the department with the training finding.
pub const SALES: usize = 4;

const FIRST: [&str; 84] = [
    "Mikko",
    "Juha",
    "Timo",
    "Matti",
    "Kari",
    "Antti",
    "Jukka",
    "Janne",
    "Ville",
    "Teemu",
    "Jussi",
    "Markus",
    "Joonas",
    "Aleksi",
    "Eero",
    "Niko",
    "Oskari",
    "Henri",
    "Petri",
    "Arttu",
    "Ilkka",
    "Heikki",
    "Otto",
    "Eetu",
    "Veeti",
    "Rasmus",
    "Jere",
    "Tapio",
    "Lauri",
    "Toni",
    "Sanna",
    "Heidi",
    "Riikka",
    "Hanna",
    "Katja",
    "Minna",
    "Aino",
    "Sara",
    "Veera",
    "Iida",
    "Tiina",
    "Outi",
    "Paula",
    "Jenni",
    "Suvi",
    "Milla",
    "Pia",
    "Linnea",
    "Ronja",
    "Krista",
    "Emmi",
    "Maija",
    "Anu",
    "Päivi",
    "Hilla",
    "Ahmed",
    "Ravi",
    "Olga",
    "Dmitri",
    "Lukas",
    "Elena",
    "Chen",
    "Wei",
    "Fatima",
    "Jonas",
    "Erik",
    "Ingrid",
    "Mateusz",
    "Agnieszka",
    "Tomás",
    "Ana",
    "Daniel",
    "Hassan",
    "Yuki",
    "Sophie",
    "James",
    "Emma",
    "Carlos",
    "Anders",
    "Kirsi",
    "Jyrki",
    "Helmi",
    "Tuula",
    "Raimo",
];

const LAST: [&str; 72] = [
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Lehtinen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Niemi",
    "Heikkilä",
    "Kinnunen",
    "Salonen",
    "Turunen",
    "Salo",
    "Laitinen",
    "Tuominen",
    "Rantanen",
    "Karjalainen",
    "Jokinen",
    "Mattila",
    "Savolainen",
    "Lahtinen",
    "Ahonen",
    "Hiltunen",
    "Leinonen",
    "Miettinen",
    "Pelkonen",
    "Aaltonen",
    "Kallio",
    "Lindholm",
    "Nyström",
    "Holmberg",
    "Sjöberg",
    "Räsänen",
    "Väisänen",
    "Ketola",
    "Manninen",
    "Peltola",
    "Hakala",
    "Seppälä",
    "Vainio",
    "Novak",
    "Kowalski",
    "Nowak",
    "Petrov",
    "Ivanova",
    "Schmidt",
    "Müller",
    "Rossi",
    "Garcia",
    "Silva",
    "Khan",
    "Sharma",
    "Patel",
    "Chen",
    "Wang",
    "Tanaka",
    "Johansson",
    "Andersson",
    "Olsen",
    "Jensen",
    "Smith",
    "Murphy",
    "O'Brien",
    "Dubois",
];

/// People whose roles the registers name (owners, approvers, auditors).
const KEY_PEOPLE: [(&str, &str, usize, &str); 19] = [
    ("Anna", "Lindqvist", 0, "Managing Director"),
    ("Jari", "Lehtonen", 0, "Chief Operating Officer"),
    ("Mikael", "Rantanen", 0, "Chief Financial Officer"),
    ("Pekka", "Salonen", 0, "Chief Technology Officer"),
    ("Marja", "Virtanen", 0, "Chief Customer Officer"),
    ("Kaisa", "Ahonen", 0, "Executive Assistant"),
    ("Lauri", "Mattila", 1, "Engineering Manager"),
    ("Priya", "Raman", 1, "AI Lead"),
    ("Laura", "Nieminen", 2, "Service Desk Manager"),
    ("Tuomas", "Korhonen", 3, "IT Operations Manager"),
    ("Henrik", "Forsberg", 3, "Business Continuity Manager"),
    ("Olli", "Koskinen", 4, "Head of Sales"),
    ("Sofia", "Berg", 5, "Head of Customer Success"),
    ("Satu", "Hiltunen", 6, "Finance Manager"),
    ("Elina", "Mäkelä", 7, "HR Manager"),
    ("Noora", "Aaltonen", 8, "Marketing Manager"),
    ("Johanna", "Heikkinen", 9, "Quality & Compliance Manager"),
    ("Sami", "Laaksonen", 9, "CISO"),
    ("Marco", "Rossi", 9, "Internal Auditor"),
];

/// One employee.
#[derive(Debug, Clone)]
pub struct Person {
    /// Employee number (HR `E1042`, LMS `U1042`).
    pub number: u64,
    /// Given name.
    pub first: String,
    /// Family name.
    pub last: String,
    /// Index into [`DEPARTMENTS`].
    pub dept: usize,
    /// First working day.
    pub hired: i64,
}

impl Person {
    /// `First Last`.
    pub fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    /// The department's name.
    pub fn dept_name(&self) -> &'static str {
        DEPARTMENTS.get(self.dept).map_or("Operations", |d| d.0)
    }

    /// The lower-case work e-mail, which is also the Okta login.
    pub fn email(&self) -> String {
        format!("{}.{}@{DOMAIN}", fold(&self.first), fold(&self.last))
    }
}

/// Lower-case ASCII for an e-mail local part (`Mäkelä` → `makela`, `O'Brien` → `obrien`).
pub fn fold(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'ä' | 'Ä' | 'å' | 'Å' | 'á' => Some('a'),
            'ö' | 'Ö' | 'ó' => Some('o'),
            'ü' | 'Ü' => Some('u'),
            'é' => Some('e'),
            '\'' | ' ' => None,
            c => Some(c.to_ascii_lowercase()),
        })
        .collect()
}

/// The name of the person holding a key role, for owner and approver columns.
pub fn role(title: &str) -> String {
    KEY_PEOPLE
        .iter()
        .find(|k| k.3 == title)
        .map_or_else(|| title.to_string(), |k| format!("{} {}", k.0, k.1))
}

/// The head of a department (its manager in the HR report).
pub fn head_of(dept: usize) -> String {
    let title = match dept {
        0 => "Managing Director",
        1 => "Engineering Manager",
        2 => "Service Desk Manager",
        3 => "IT Operations Manager",
        4 => "Head of Sales",
        5 => "Head of Customer Success",
        6 => "Finance Manager",
        7 => "HR Manager",
        8 => "Marketing Manager",
        _ => "Quality & Compliance Manager",
    };
    role(title)
}

/// The sample's staff: current employees, then names reserved for leavers.
#[derive(Debug)]
pub struct Staff {
    /// The 120 current employees, grouped by department.
    pub current: Vec<Person>,
    /// Fresh names for the people who left, one per leaver scenario.
    pub leaver_names: Vec<(String, String)>,
}

/// Builds the sample staff deterministically from `seed`.
pub fn sample_staff(seed: u64, leavers: usize) -> Staff {
    let mut rng = Rng::derive(seed, 0x5717, 0);
    let mut used: BTreeSet<(String, String)> = BTreeSet::new();
    let mut current = Vec::new();
    let mut number = 1001;
    for (first, last, dept, _) in KEY_PEOPLE {
        used.insert((first.to_string(), last.to_string()));
        let hired = days_from_civil(2014 + (number as i64 % 8), 1 + (number as i64 % 11), 1);
        current.push(Person {
            number,
            first: first.into(),
            last: last.into(),
            dept,
            hired,
        });
        number += 1;
    }
    let mut fresh = |rng: &mut Rng| loop {
        let pair = (rng.pick(&FIRST).to_string(), rng.pick(&LAST).to_string());
        if pair.0 != pair.1 && used.insert(pair.clone()) {
            return pair;
        }
    };
    for (dept, (_, size)) in DEPARTMENTS.iter().enumerate() {
        let have = current.iter().filter(|p| p.dept == dept).count();
        for k in have..*size {
            let (first, last) = fresh(&mut rng);
            // About one in six joined during the window; Sales is a settled team.
            let joined_recently = dept != SALES && k % 6 == 5;
            let hired = if joined_recently {
                rng.range(WINDOW_START_DAY + 20, days_from_civil(2026, 10, 1))
            } else {
                rng.range(days_from_civil(2016, 1, 1), WINDOW_START_DAY - 30)
            };
            current.push(Person {
                number,
                first,
                last,
                dept,
                hired,
            });
            number += 1;
        }
    }
    // Two people in their first weeks, whose onboarding courses are not all due yet.
    for (dept, day) in [
        (1, days_from_civil(2026, 11, 2)),
        (2, days_from_civil(2026, 11, 16)),
    ] {
        if let Some(p) = current.iter_mut().rev().find(|p| p.dept == dept) {
            p.hired = day;
        }
    }
    current.sort_by_key(|p| (p.dept, p.number));
    let leaver_names = (0..leavers).map(|_| fresh(&mut rng)).collect();
    Staff {
        current,
        leaver_names,
    }
}

/// A plausible full name, for assignees and reporters at scale.
pub fn random_name(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(&FIRST), rng.pick(&LAST))
}

/// Person `u` of the unbounded population used at scale (deterministic from `seed`).
pub fn scaled_person(seed: u64, u: u64) -> Person {
    let mut rng = Rng::derive(seed, 0x9e0, u);
    let first = rng.pick(&FIRST).to_string();
    let last = rng.pick(&LAST).to_string();
    let weights: Vec<u64> = DEPARTMENTS.iter().map(|d| d.1 as u64).collect();
    let dept = rng.weighted(&weights);
    let hired = rng.range(days_from_civil(2012, 1, 1), WINDOW_START_DAY - 30);
    Person {
        number: 100_000 + u,
        first,
        last,
        dept,
        hired,
    }
}

/// The e-mail of a scaled person: the number keeps a population of millions unique.
pub fn scaled_email(p: &Person) -> String {
    format!("{}.{}.{}@{DOMAIN}", fold(&p.first), fold(&p.last), p.number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_is_unique_and_sized() {
        let s = sample_staff(1, 20);
        assert_eq!(s.current.len(), 120);
        let emails: BTreeSet<String> = s.current.iter().map(Person::email).collect();
        assert_eq!(emails.len(), 120);
        assert_eq!(fold("O'Brien"), "obrien");
        assert_eq!(fold("Mäkelä"), "makela");
    }
}
