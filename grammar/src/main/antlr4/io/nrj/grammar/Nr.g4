grammar Nr;
// Placeholder: replaced by the real grammar of the foundation issue.
nrFile : EOF ;
WS : [ \t\r\n]+ -> skip ;
