//! Closeness of two words for typo tolerance, and a Latin spelling for
//! Cyrillic brand names ("каспи" → "kaspi").

/// The optimal string alignment distance between `a` and `b` (insertions,
/// deletions, substitutions, and swapping two neighbouring letters — the
/// commonest typo), or `None` when it is above `max`.
pub(super) fn distance_within(a: &[char], b: &[char], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let width = b.len() + 1;
    let mut before: Vec<usize> = vec![0; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current: Vec<usize> = vec![0; width];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut value = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                value = value.min(before[j - 2] + 1);
            }
            current[j] = value;
            row_min = row_min.min(value);
        }
        // Every later row only grows from this one's smallest value.
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    (distance <= max).then_some(distance)
}

/// A folded Cyrillic word written in Latin letters, the way Kazakhstan and
/// Russia spell brands ("каспи" → "kaspi", "смс" → "sms", "эпл" → "epl").
pub(super) fn latin_spelling(cyrillic: &str) -> String {
    let mut latin = String::with_capacity(cyrillic.len());
    for c in cyrillic.chars() {
        latin.push_str(match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' | 'ы' => "y",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "h",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "sch",
            'ю' => "yu",
            'я' => "ya",
            _ => "",
        });
    }
    latin
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distance(a: &str, b: &str, max: usize) -> Option<usize> {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        distance_within(&a, &b, max)
    }

    #[test]
    fn one_typo_is_distance_one() {
        assert_eq!(distance("pasword", "password", 2), Some(1));
        assert_eq!(distance("пороль", "пароль", 2), Some(1));
        assert_eq!(
            distance("recieve", "receive", 2),
            Some(1),
            "a swap is one typo"
        );
        assert_eq!(distance("same", "same", 0), Some(0));
    }

    #[test]
    fn distances_above_the_bound_are_none() {
        assert_eq!(distance("доставка", "заказ", 2), None);
        assert_eq!(distance("abc", "abcdef", 2), None);
    }

    #[test]
    fn cyrillic_brand_names_get_their_latin_spelling() {
        assert_eq!(latin_spelling("каспи"), "kaspi");
        assert_eq!(latin_spelling("смс"), "sms");
    }
}
