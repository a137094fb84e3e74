// Package web serves the gateway's JSON API: status, and the controls of the
// simulated board. The daemon serves it on a local unix socket, where the
// tipring command-line tools use it; the types here are its wire format.
package web
