module tipring

go 1.26

require (
	github.com/BurntSushi/toml v1.6.0
	github.com/go-audio/audio v1.0.0
	github.com/go-audio/wav v1.1.0
)

require github.com/go-audio/riff v1.0.0 // indirect
