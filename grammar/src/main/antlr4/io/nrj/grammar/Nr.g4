/*
 * The .nr language: networks, parameterised blocks, schedules and train bindings.
 *
 * Syntax only: no actions, no semantic predicates. Meaning (names, shapes, ranges, defaults) lives
 * in the dsl module's Resolver. Keep one alternative per line with a column of #labels; adding a
 * keyword is a visible decision pinned by TestKeywords.
 */
grammar Nr;

nrFile
    : definition* EOF
    ;

standaloneLayer
    : layer EOF
    ;

standaloneExpression
    : expression EOF
    ;

definition
    : NETWORK name=identifier '{' networkItem* '}'                                 #networkDefinition
    | BLOCK name=identifier '(' (parameter (',' parameter)*)? ')' '{' layer* '}'    #blockDefinition
    | SCHEDULE name=identifier '{' scheduleItem* '}'                               #scheduleDefinition
    | TRAIN network=identifier WITH schedule=identifier                             #trainDefinition
    ;

parameter
    : name=identifier ('=' defaultValue=expression)?
    ;

networkItem
    : INPUT shape=SHAPE                                 #inputShape
    | CLASSES count=expression                          #classCount
    | BN_GAMMA value=number                             #bnGamma
    | CLASSIFIER_INIT kind=identifier                   #classifierInit
    | layer                                             #networkLayer
    ;

layer
    : (label=labelName ':')? layerBody
    ;

labelName
    : identifier
    | PATH
    ;

layerBody
    : CONV width=expression convOption*                                             #conv
    | MAXPOOL window=expression poolOption*                                         #maxPool
    | AVGPOOL window=expression poolOption*                                         #avgPool
    | RELU source?                                                                  #relu
    | RESIDUAL PROJECT? '{' branch=layers '}' (SHORTCUT '{' shortcut=layers '}')?    #residual
    | DENSE '{' layer* '}'                                                          #dense
    | REPEAT count=expression '{' layer* '}'                                        #repeat
    | ADD reference (',' reference)+                                                #add
    | CONCAT reference (',' reference)+                                             #concat
    | CLASSIFIER source?                                                            #classifier
    | name=identifier '(' (argument (',' argument)*)? ')'                           #blockCall
    ;

layers
    : layer*
    ;

convOption
    : KERNEL_SHORT                                      #kernelShort
    | KERNEL size=expression                            #kernelLong
    | STRIDE step=expression                            #convStride
    | PAD amount=expression                             #convPad
    | NORELU                                            #noRelu
    | INPUT                                             #inputFlag
    | FIXED                                             #fixedFlag
    | SPLIT                                             #splitFlag
    | source                                            #convSource
    ;

poolOption
    : STRIDE step=expression                            #poolStride
    | PAD amount=expression                             #poolPad
    | source                                            #poolSource
    ;

source
    : FROM reference
    ;

reference
    : labelName
    | IMAGE
    ;

argument
    : (name=identifier '=')? value=expression
    ;

expression
    : '(' expression ')'                                              #parenthesized
    | operator=('-' | '+') expression                                 #unary
    | left=expression operator=('*' | '/' | '%') right=expression     #multiplicative
    | left=expression operator=('+' | '-') right=expression           #additive
    | INT                                                             #integerLiteral
    | CHANNELS                                                        #inputChannels
    | identifier                                                      #variable
    ;

scheduleItem
    : EPOCHS count=INT                                  #epochs
    | BATCH size=INT                                    #batch
    | TEST_BATCH size=INT                               #testBatch
    | SGD sgdOption+                                    #sgd
    | LR_STEPS INT* (GAMMA factor=number)?              #lrSteps
    | AUGMENT augmentOption+                            #augment
    | NORMALIZE MEAN mean+=number+ STD std+=number+     #normalize
    | DATASET name=identifier                           #dataset
    | PRECISION kind=identifier                         #precision
    | REJUVENATE '{' nrItem* '}'                        #rejuvenate
    ;

sgdOption
    : LR value=number                                   #sgdLr
    | MOMENTUM value=number                             #sgdMomentum
    | WEIGHT_DECAY value=number                         #sgdWeightDecay
    ;

augmentOption
    : CROP size=INT                                     #crop
    | PAD amount=INT                                    #augmentPad
    | FLIP                                              #flip
    | RESIZED_CROP size=INT                             #resizedCrop
    | RESIZE size=INT                                   #resize
    ;

nrItem
    : SPARSITY ADAPTIVE adaptiveOption*                 #adaptiveSparsity
    | SPARSITY value=number                             #fixedSparsity
    | TARGET value=number                               #target
    | MEASURE kind=identifier                           #measure
    | LIVE_THRESHOLD value=number                       #liveThreshold
    | DEAD_THRESHOLD value=number                       #deadThreshold
    | EXPAND kind=identifier                            #expand
    | NEW_GAMMA value=number                            #newGamma
    | CROSS kind=identifier                             #cross
    | BN_RESTORE value=number (MODE kind=identifier)?   #bnRestore
    | COMPRESS_ONLY                                     #compressOnly
    ;

adaptiveOption
    : START value=number                                #adaptiveStart
    | STEP value=number                                 #adaptiveStep
    | THRESHOLD value=number                            #adaptiveThreshold
    ;

number
    : '-'? (INT | FLOAT)
    ;

identifier
    : IDENT
    | nonReserved
    ;

// Keywords that may still be used as names (a block parameter called 'stride', a network called
// 'target'). Everything else in the lexer below is reserved.
nonReserved
    : STRIDE | PAD | KERNEL | GAMMA | START | STEP | THRESHOLD | MODE | TARGET | MEAN | STD
    ;

NETWORK: 'network';
BLOCK: 'block';
SCHEDULE: 'schedule';
TRAIN: 'train';
WITH: 'with';
INPUT: 'input';
CLASSES: 'classes';
BN_GAMMA: 'bn_gamma';
CLASSIFIER_INIT: 'classifier_init';
CONV: 'conv';
MAXPOOL: 'maxpool';
AVGPOOL: 'avgpool';
RELU: 'relu';
RESIDUAL: 'residual';
PROJECT: 'project';
SHORTCUT: 'shortcut';
DENSE: 'dense';
REPEAT: 'repeat';
ADD: 'add';
CONCAT: 'concat';
CLASSIFIER: 'classifier';
KERNEL: 'kernel';
STRIDE: 'stride';
PAD: 'pad';
NORELU: 'norelu';
FIXED: 'fixed';
SPLIT: 'split';
FROM: 'from';
IMAGE: 'image';
CHANNELS: 'channels';
EPOCHS: 'epochs';
BATCH: 'batch';
TEST_BATCH: 'test_batch';
SGD: 'sgd';
LR: 'lr';
MOMENTUM: 'momentum';
WEIGHT_DECAY: 'weight_decay';
LR_STEPS: 'lr_steps';
GAMMA: 'gamma';
AUGMENT: 'augment';
CROP: 'crop';
FLIP: 'flip';
RESIZED_CROP: 'resized_crop';
RESIZE: 'resize';
NORMALIZE: 'normalize';
MEAN: 'mean';
STD: 'std';
DATASET: 'dataset';
PRECISION: 'precision';
REJUVENATE: 'rejuvenate';
SPARSITY: 'sparsity';
ADAPTIVE: 'adaptive';
START: 'start';
STEP: 'step';
THRESHOLD: 'threshold';
TARGET: 'target';
MEASURE: 'measure';
LIVE_THRESHOLD: 'live_threshold';
DEAD_THRESHOLD: 'dead_threshold';
EXPAND: 'expand';
NEW_GAMMA: 'new_gamma';
CROSS: 'cross';
BN_RESTORE: 'bn_restore';
MODE: 'mode';
COMPRESS_ONLY: 'compress_only';

LBRACE: '{';
RBRACE: '}';
LPAREN: '(';
RPAREN: ')';
COMMA: ',';
COLON: ':';
EQ: '=';
PLUS: '+';
MINUS: '-';
STAR: '*';
SLASH: '/';
PERCENT: '%';

// channels x height x width, e.g. 3x32x32
SHAPE: DIGIT+ 'x' DIGIT+ 'x' DIGIT+;
// a square kernel size written as one word: k3, k7
KERNEL_SHORT: 'k' DIGIT+;
FLOAT
    : DIGIT+ '.' DIGIT* EXPONENT?
    | '.' DIGIT+ EXPONENT?
    | DIGIT+ EXPONENT
    ;
INT: DIGIT+;
// a dotted module path such as layer2.0.conv1 (what the printer writes as labels and references)
PATH: LETTER (LETTER | DIGIT)* ('.' (LETTER | DIGIT)+)+;
IDENT: LETTER (LETTER | DIGIT)*;

fragment DIGIT: [0-9];
fragment LETTER: [a-zA-Z_];
fragment EXPONENT: [eE] [+-]? DIGIT+;

COMMENT: ('#' | '//') ~[\r\n]* -> channel(HIDDEN);
WS: [ \t\r\n]+ -> channel(HIDDEN);

// Anything else becomes one token so that the parser reports it at its position.
UNRECOGNIZED: .;
