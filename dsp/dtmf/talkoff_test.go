package dtmf

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"tipring/internal/testtool"
)

// Texts for the talk-off test: ordinary speech, with numbers and the
// sustained vowels that come closest to a pair of tones.
var talkTexts = map[string]string{
	"en": `The gateway answers the call, plays a short prompt and waits for the caller to choose a department.
Please hold the line while we connect you; your call is important to us and will be answered in turn.
Nine hundred and forty one people phoned on Tuesday, seventeen of them twice, and nobody complained about the weather.
Oh, how lovely the evening is, so calm and so bright; sing along, eee, ooo, aaah, mmm, yes, do it again, louder now.
A quick brown fox jumps over the lazy dog while the telephone rings and rings in the empty hall.
Reading numbers aloud: one, two, three, four, five, six, seven, eight, nine, zero, star, pound, hash.`,
	"de": `Guten Tag, Sie sind mit der Zentrale verbunden. Bitte bleiben Sie am Apparat, wir verbinden Sie gleich.
Die Sonne scheint über den Bergen, und im Tal läuten die Glocken zur Mittagszeit, eins, zwei, drei, vier.
Zweihundertsiebenundvierzig Anrufe kamen heute, und jeder einzelne wurde freundlich beantwortet.`,
	"fr": `Bonjour, vous êtes bien au standard. Veuillez patienter, un conseiller va prendre votre appel.
Le petit chat dort au soleil pendant que la pluie tombe doucement sur les toits de la ville, un, deux, trois.
Nous avons reçu quatre cent vingt appels cette semaine, et la plupart concernaient la facture.`,
	"es": `Hola, gracias por llamar. Por favor espere, en breve le atenderá uno de nuestros agentes.
El tren de la mañana llega a las nueve y cuarto, y los pasajeros esperan en el andén, uno, dos, tres, cuatro.
Cantamos todos juntos, aaa, eee, ooo, y la música suena fuerte en la plaza mayor.`,
}

// voices reads every text in several voices, pitches and speeds.
var voices = []struct{ lang, variant, pitch, speed string }{
	{"en", "+m3", "40", "160"}, {"en", "+f2", "70", "175"}, {"en-us", "+m1", "30", "150"},
	{"en-us", "+f4", "85", "190"}, {"en", "+m7", "55", "130"}, {"en-us", "+f3", "99", "140"},
	{"de", "+m2", "45", "160"}, {"de", "+f1", "75", "150"},
	{"fr", "+m4", "50", "165"}, {"fr", "+f5", "80", "150"},
	{"es", "+m5", "35", "170"}, {"es", "+f2", "65", "155"},
}

// TestTalkOff runs over ten minutes of synthetic speech in four languages
// through the detector, at the level espeak-ng speaks and 12 dB lower, and
// wants no digit at all.
func TestTalkOff(t *testing.T) {
	testtool.Need(t, "espeak-ng") // skip before the goroutines, which cannot
	testtool.Need(t, "sox")
	clips := make([][]int16, len(voices))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, v := range voices {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			text := talkTexts[strings.TrimSuffix(v.lang, "-us")]
			var err error
			clips[i], err = testtool.Speak(t, text, "-v", v.lang+v.variant, "-p", v.pitch, "-s", v.speed)
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var speech []int16
	for _, c := range clips {
		speech = append(speech, c...)
	}
	quiet := make([]int16, len(speech))
	for i, v := range speech {
		quiet[i] = int16(float64(v) / 4)
	}
	speech = append(speech, quiet...)
	minutes := float64(len(speech)) / SampleRate / 60
	if minutes < 10 {
		t.Fatalf("only %.1f minutes of speech", minutes)
	}
	for _, p := range []Profile{ATT, NTT} {
		got := detect(t, p, speech, randomSizes(3))
		var b strings.Builder
		for _, d := range got {
			fmt.Fprintf(&b, " %c@%.2fs", d.digit, float64(d.start)/SampleRate)
		}
		t.Logf("%s: %.1f minutes of speech, %d false digits%s", p.Name, minutes, len(got), b.String())
		if len(got) > 0 {
			t.Errorf("%s: %d false digits in %.1f minutes of speech:%s", p.Name, len(got), minutes, b.String())
		}
	}
}
