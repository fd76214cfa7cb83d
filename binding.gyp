{
  "targets": [
    {
      "target_name": "twincore",
      "sources": [
        "<!@(node -p \"['native', 'core'].flatMap(d => require('fs').readdirSync(d).filter(f => f.endsWith('.c')).sort().map(f => d + '/' + f)).join(' ')\")"
      ],
      "cflags_c": [
        "-std=c11", "-O3", "-ffp-contract=off", "-fno-fast-math",
        "-Wall", "-Wextra", "-Wvla", "-Wstrict-prototypes"
      ],
      # Everything that ships is built for the baseline ISA: the core picks
      # wider code paths (AVX2, AVX-512, SHA-NI) at run time.
      "conditions": [
        ["target_arch == 'x64' and OS != 'win'", {
          "cflags_c": ["-march=x86-64", "-mtune=generic"]
        }]
      ],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-std=c11", "-O3", "-ffp-contract=off", "-fno-fast-math"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "AdditionalOptions": ["/std:c11", "/fp:precise"] }
      }
    }
  ]
}
