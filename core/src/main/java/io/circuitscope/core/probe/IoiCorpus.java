package io.circuitscope.core.probe;

import java.util.List;

/**
 * The names and templates circuitscope's IOI probes and its toy IOI model use. Templates use {@code [X]} and
 * {@code [Y]} for the two people introduced first and {@code [S]} for the repeated subject (see {@link IoiPromptSet}).
 */
public final class IoiCorpus {
    /** Common first names; most are single GPT-2 tokens with a leading space. */
    public static final List<String> NAMES = List.of(
            "Mary", "John", "Alice", "Bob", "Tom", "James", "Sarah", "Emma", "David", "Anna",
            "Paul", "Kate", "Mark", "Lisa", "Peter", "Laura", "Simon", "Rachel", "Daniel", "Jessica",
            "Michael", "Amy", "Chris", "Helen", "Steven", "Karen", "Brian", "Nancy", "Kevin", "Julia",
            "George", "Linda", "Frank", "Susan", "Eric", "Grace", "Adam", "Claire", "Ryan", "Emily");

    /**
     * Twenty IOI templates; the toy IOI model trains on the first fifteen and holds out the last five. The held-out
     * five are new sentences built from words the first fifteen use, so they test the IOI mechanism on unseen
     * templates rather than the embeddings of words the model never saw.
     */
    public static final List<String> TEMPLATES = List.of(
            "When [X] and [Y] went to the store, [S] gave a drink to",
            "When [X] and [Y] went to the park, [S] handed a ball to",
            "After [X] and [Y] arrived at the house, [S] passed a book to",
            "Then [X] and [Y] had lunch at the cafe. [S] offered a sandwich to",
            "Today [X] and [Y] were working at the office. [S] sent an email to",
            "While [X] and [Y] were at the beach, [S] threw a towel to",
            "Yesterday [X] and [Y] visited the museum, and [S] showed a picture to",
            "When [X] and [Y] got a letter, [S] read it to",
            "Later [X] and [Y] went to the library. [S] lent a pen to",
            "At the party [X] and [Y] danced. Then [S] gave a gift to",
            "Tonight [X] and [Y] cooked dinner together, and [S] served the soup to",
            "After the game [X] and [Y] talked, and [S] sold a ticket to",
            "Since [X] and [Y] were in the garden, [S] brought a flower to",
            "When [X] and [Y] met at the station, [S] gave a coat to",
            "On Monday [X] and [Y] went to school, and [S] passed a note to",
            "While [X] and [Y] were at the library, [S] handed a book to",
            "Yesterday [X] and [Y] went to the beach. [S] threw a ball to",
            "After the party [X] and [Y] met at the cafe, and [S] gave a pen to",
            "On Monday [X] and [Y] were in the office. [S] sent a letter to",
            "Then [X] and [Y] went to the park together, and [S] brought a drink to");

    private IoiCorpus() {
    }
}
