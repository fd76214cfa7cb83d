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
      "xcode_settings": {
        "OTHER_CFLAGS": ["-std=c11", "-O3", "-ffp-contract=off", "-fno-fast-math"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "AdditionalOptions": ["/std:c11", "/fp:precise"] }
      }
    }
  ]
}
